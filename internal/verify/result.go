package verify

import (
	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/internal/imagediff"
)

// Status is the outcome of one file.
type Status string

const (
	// Unchanged: no unsafe fix changes the file; nothing was built.
	Unchanged Status = "unchanged"
	// Verified: every unsafe fix holds.
	Verified Status = "verified"
	// Dropped: the fixes of at least one rule did not hold.
	Dropped Status = "dropped"
	// Error: the file could not be verified (see Result.Error).
	Error Status = "error"
)

// Result is the outcome of one file.
type Result struct {
	Path   string `json:"path"`
	Status Status `json:"status"`
	// Error says why the file could not be verified.
	Error string `json:"error,omitempty"`
	// Rules are the rules whose unsafe fixes change the file, in the
	// order they run, each kept or dropped.
	Rules []Rule `json:"rules,omitempty"`
	// Original is the image of the file as it was.
	Original *Image `json:"original,omitempty"`
	// Result is the image of the file with the kept fixes, when one was
	// built.
	Result *Image `json:"result,omitempty"`
	// Tries are the candidates built, in order.
	Tries []*Try `json:"tries,omitempty"`
	// Builds counts the images built.
	Builds int `json:"builds"`
	// Written reports that the file was rewritten.
	Written bool `json:"written,omitempty"`
	// Fixed counts the fixes in Output by rule, safe ones included.
	Fixed map[string]int `json:"fixed,omitempty"`
	// Failed are the findings about work a rule could not do on Output
	// (a registry lookup that failed), as "path:line:col: rule: message";
	// like fix, a run with any exits with 2.
	Failed []string `json:"failed,omitempty"`
	// Notes are remarks that do not change the outcome.
	Notes []string `json:"notes,omitempty"`

	// Input is the file as read; Output the file with its safe fixes and
	// the unsafe fixes that held.
	Input, Output []byte `json:"-"`
	// Informed are the rules that named what they could not from the
	// Dockerfile alone from the build of the original (Options.Informed).
	Informed []string `json:"informed,omitempty"`
	// Facts is what the build of the original showed.
	Facts *buildfacts.Facts `json:"-"`
	// Err is the error behind Error.
	Err error `json:"-"`
}

// Rule is a rule whose unsafe fixes change the file.
type Rule struct {
	Name string `json:"rule"`
	// Fixes counts its unsafe fixes.
	Fixes int  `json:"fixes"`
	Kept  bool `json:"kept"`
	// Reason says why its fixes were dropped.
	Reason string `json:"reason,omitempty"`
}

// Image sums up a built image.
type Image struct {
	// Size is the uncompressed size of its layers; Compressed their size
	// gzipped, as a registry stores them.
	Size       int64 `json:"size_bytes"`
	Compressed int64 `json:"compressed_bytes"`
	Layers     int   `json:"layers"`
	// BuildSeconds is the wall time of the build.
	BuildSeconds float64 `json:"build_seconds"`
	// Smoke is the smoke run, if one was asked for.
	Smoke *SmokeRun `json:"smoke,omitempty"`
	// Tag is the image's tag, when it was kept.
	Tag string `json:"tag,omitempty"`
}

// SmokeRun is the outcome of a smoke command.
type SmokeRun struct {
	ExitCode  int    `json:"exit_code"`
	Output    string `json:"output"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Try is one candidate: the file with the unsafe fixes of some rules.
type Try struct {
	// Rules are the rules whose unsafe fixes it has.
	Rules  []string `json:"rules"`
	Passed bool     `json:"passed"`
	// Reasons say why it failed.
	Reasons []string `json:"reasons,omitempty"`
	// Image is the candidate's image, when it built.
	Image *Image `json:"image,omitempty"`
	// Differences are every difference found, the expected ones too.
	Differences []imagediff.Difference `json:"differences,omitempty"`
	// Compared counts the files the steps made that were compared;
	// Checked the executables, libraries and scripts among them.
	Compared int `json:"files_compared"`
	Checked  int `json:"dependencies_checked"`

	output []byte
}
