package migrate

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/regfile"
)

// ReportVersion is the version of the JSON report's schema.
const ReportVersion = 1

// Status is what happened to a repository.
type Status string

// The statuses of a repository, in the order reports list their counts.
const (
	// Changed: a branch with one commit holds the fixes (in a dry run: the
	// fixes were shown).
	Changed Status = "changed"
	// Unchanged: the rules found nothing to fix.
	Unchanged Status = "unchanged"
	// Skipped: not processed, for the Reason given (the branch exists, no
	// Dockerfiles).
	Skipped Status = "skipped"
	// Failed: an error stopped the repository; nothing was left behind.
	Failed Status = "failed"
)

// Statuses are all statuses in report order.
var Statuses = []Status{Changed, Unchanged, Skipped, Failed}

// Report is the outcome of a migrate run, or of several merged.
type Report struct {
	Version  int       `json:"version"`
	Dockmend string    `json:"dockmend"`
	Started  time.Time `json:"started"`
	Finished time.Time `json:"finished"`
	// Shard is "I/N" when the run processed one shard, "" otherwise.
	Shard string `json:"shard"`
	// Shards lists the shards a merged report joins.
	Shards       []string               `json:"shards,omitempty"`
	Branch       string                 `json:"branch"`
	DryRun       bool                   `json:"dry_run"`
	Counts       map[Status]int         `json:"counts"`
	Repositories []*Repository          `json:"repositories"`
	index        map[string]*Repository // by path, built on demand
}

// Repository is the outcome of one repository.
type Repository struct {
	// Path is the repository as given or found.
	Path   string `json:"path"`
	Status Status `json:"status"`
	// Reason says why a repository was skipped or failed.
	Reason string `json:"reason,omitempty"`
	// Base is the commit the fixes start from.
	Base   string `json:"base,omitempty"`
	Branch string `json:"branch,omitempty"`
	// Commit is the fixes' commit on Branch.
	Commit string `json:"commit,omitempty"`
	Pushed bool   `json:"pushed,omitempty"`
	// Files are the changed Dockerfiles, relative to the repository.
	Files []FileFixes `json:"files,omitempty"`
	// Fixes counts the fixes by rule over all files.
	Fixes map[string]int `json:"fixes,omitempty"`
	// Errors are the problems with single files, each naming the file.
	Errors []string `json:"errors,omitempty"`
	// Warnings are things worth knowing that did not stop anything: a
	// configuration file that is a dangling symbolic link, a temporary
	// worktree of an interrupted run that was removed.
	Warnings []string `json:"warnings,omitempty"`
	// BaseImages summarises the repository's base images (--base-report).
	BaseImages *base.Summary `json:"base_images,omitempty"`
	Seconds    float64       `json:"seconds"`
	// Verified are the verifications of its Dockerfiles (--verify).
	Verified []Verification `json:"verified,omitempty"`
}

// FileFixes are the fixes applied to one file.
type FileFixes struct {
	Path  string         `json:"path"`
	Fixes map[string]int `json:"fixes"`
}

// FixCount returns the number of fixes over all rules.
func (r *Repository) FixCount() int {
	n := 0
	for _, c := range r.Fixes {
		n += c
	}
	return n
}

// Count recomputes Counts from Repositories.
func (rep *Report) Count() {
	rep.Counts = map[Status]int{}
	for _, s := range Statuses {
		rep.Counts[s] = 0
	}
	for _, r := range rep.Repositories {
		rep.Counts[r.Status]++
	}
}

// StatusOf returns the status of the repository at path in the report.
func (rep *Report) StatusOf(path string) (Status, bool) {
	r, ok := rep.Lookup(path)
	if !ok {
		return "", false
	}
	return r.Status, true
}

// Lookup returns the repository at path in the report.
func (rep *Report) Lookup(path string) (*Repository, bool) {
	if rep.index == nil {
		rep.index = map[string]*Repository{}
		for i := range rep.Repositories {
			rep.index[rep.Repositories[i].Path] = rep.Repositories[i]
		}
	}
	r, ok := rep.index[path]
	return r, ok
}

// Done reports whether the repository needs no further run: it was
// changed or unchanged, and every Dockerfile in it could be fixed.
func (r *Repository) Done() bool {
	return (r.Status == Changed || r.Status == Unchanged) && len(r.Errors) == 0
}

// Failed reports whether the repository failed, or has Dockerfiles that
// could not be fixed (the others were committed): --only-failed runs it
// again.
func (r *Repository) Failed() bool {
	return r.Status == Failed || len(r.Errors) > 0
}

// MaxReportSize is the largest report ReadReport reads, in bytes (a few
// hundred thousand repositories). A larger file, or one that is not a
// regular file, is an error.
const MaxReportSize = 256 << 20

// ReadReport reads a JSON report, a regular file of at most MaxReportSize
// bytes.
func ReadReport(path string) (*Report, error) {
	data, err := regfile.Read(path, MaxReportSize)
	if err != nil {
		return nil, err
	}
	var rep Report
	if err := json.Unmarshal(data, &rep); err != nil {
		return nil, fmt.Errorf("%s: not a dockmend migrate report: %w", path, err)
	}
	if rep.Version != ReportVersion {
		return nil, fmt.Errorf("%s: report version %d, this dockmend reads version %d", path, rep.Version, ReportVersion)
	}
	return &rep, nil
}

// WriteJSON writes the report as indented JSON.
func (rep *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// Save writes the report to path atomically.
func (rep *Report) Save(path string) error {
	var b strings.Builder
	if err := rep.WriteJSON(&b); err != nil {
		return err
	}
	return atomicfile.Replace(path, []byte(b.String()), 0o644)
}

// Merge joins the reports of several shards: repositories sorted by path
// (a repository in several reports keeps its last outcome), counts
// recomputed, the earliest start and the latest finish.
func Merge(reports []*Report) *Report {
	out := &Report{Version: ReportVersion, Repositories: []*Repository{}}
	byPath := map[string]*Repository{}
	for i, rep := range reports {
		if i == 0 || rep.Started.Before(out.Started) {
			out.Started = rep.Started
		}
		if rep.Finished.After(out.Finished) {
			out.Finished = rep.Finished
		}
		out.Dockmend = rep.Dockmend
		if out.Branch == "" {
			out.Branch = rep.Branch
		}
		out.DryRun = out.DryRun || rep.DryRun
		if rep.Shard != "" {
			out.Shards = append(out.Shards, rep.Shard)
		}
		out.Shards = append(out.Shards, rep.Shards...)
		for _, r := range rep.Repositories {
			byPath[r.Path] = r
		}
	}
	for _, p := range slices.Sorted(maps.Keys(byPath)) {
		out.Repositories = append(out.Repositories, byPath[p])
	}
	out.Count()
	return out
}

// WriteMarkdown writes a summary: counts by status, then one table row per
// repository.
func (rep *Report) WriteMarkdown(w io.Writer) error {
	var b strings.Builder
	title := "dockmend migrate"
	if rep.DryRun {
		title += " (dry run)"
	}
	fmt.Fprintf(&b, "# %s: %s\n\n", title, plural.Of(len(rep.Repositories), "repository"))
	var counts []string
	for _, s := range Statuses {
		counts = append(counts, fmt.Sprintf("%d %s", rep.Counts[s], s))
	}
	fmt.Fprintf(&b, "%s", strings.Join(counts, ", "))
	if len(rep.Shards) > 0 {
		fmt.Fprintf(&b, " (shards %s)", strings.Join(rep.Shards, ", "))
	} else if rep.Shard != "" {
		fmt.Fprintf(&b, " (shard %s)", rep.Shard)
	}
	b.WriteString("\n")
	if len(rep.Repositories) > 0 {
		b.WriteString("\n| repository | status | files | fixes | branch | commit | note |\n|---|---|---|---|---|---|---|\n")
		for _, r := range rep.Repositories {
			note := r.Reason
			if len(r.Errors) > 0 {
				note = strings.Join(r.Errors, "; ")
			}
			for _, w := range r.Warnings {
				if note != "" {
					note += "; "
				}
				note += "warning: " + w
			}
			if v := verifyNote(r); v != "" {
				note = strings.TrimPrefix(note+"; "+v, "; ")
			}
			commit := r.Commit
			if len(commit) > 12 {
				commit = commit[:12]
			}
			if r.Pushed {
				commit += " (pushed)"
			}
			branch := ""
			if r.Commit != "" {
				branch = r.Branch
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s | %s | %s | %s |\n",
				cell(r.Path), r.Status, filesCell(r), fixesCell(r.Fixes), cell(branch), commit, cell(note))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func filesCell(r *Repository) string {
	if len(r.Files) == 0 {
		return ""
	}
	return fmt.Sprint(len(r.Files))
}

// fixesCell renders "apt 2, pin 1", rules sorted by name.
func fixesCell(fixes map[string]int) string {
	var parts []string
	for _, rule := range slices.Sorted(maps.Keys(fixes)) {
		parts = append(parts, fmt.Sprintf("%s %d", rule, fixes[rule]))
	}
	return strings.Join(parts, ", ")
}

// cell escapes text for a Markdown table cell.
func cell(s string) string {
	s = strings.ReplaceAll(s, "|", `\|`)
	return strings.ReplaceAll(s, "\n", " ")
}
