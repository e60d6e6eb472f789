package report

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/transform"
)

// Formats are the formats check writes (--format), text first.
var Formats = []string{"text", "json", "sarif", "github", "gitlab", "checkstyle"}

// Document is everything a whole-run report holds.
type Document struct {
	// Files are the files checked, with their findings, in order.
	Files []File
	// Errors are the problems of the run.
	Errors []Error
	// Rules are every known rule (SARIF lists them all).
	Rules []*transform.Transformer
	// Tool names the program (SARIF).
	Tool Tool
	// WD is the working directory: paths are written relative to it
	// (SARIF, GitHub, GitLab, Checkstyle).
	WD string
}

// Write writes d in a format of Formats other than text, which is written
// file by file (WriteText) as the files are checked.
func Write(w io.Writer, format string, d Document) error {
	switch format {
	case "json":
		return JSON(w, d.Files, d.Errors)
	case "sarif":
		return SARIF(w, d.Files, d.Rules, d.Tool, d.WD)
	case "github":
		return GitHub(w, d.Files, d.Errors, d.WD)
	case "gitlab":
		return GitLab(w, d.Files, d.WD)
	case "checkstyle":
		return Checkstyle(w, d.Files, d.Errors, d.WD)
	}
	return fmt.Errorf("unknown format %q", format)
}

// Output is what check writes: findings in a format of Formats, or their
// statistics (text or json).
type Output struct {
	Format     string
	Statistics bool
}

// Check returns an error naming the flag when check cannot write o.
func (o Output) Check() error {
	if !slices.Contains(Formats, o.Format) {
		return fmt.Errorf("--format %q: want %s", o.Format, strings.Join(Formats, ", "))
	}
	if o.Statistics && o.Format != "text" && o.Format != "json" {
		return fmt.Errorf("--statistics writes text or json, not %s", o.Format)
	}
	return nil
}

// Streams reports whether the findings are written file by file as the
// files are checked (WriteText), not at the end.
func (o Output) Streams() bool { return o.Format == "text" && !o.Statistics }

// WriteEnd writes what is written once the run is over: the statistics
// of d's files, or d in its format; nothing when the findings streamed.
func (o Output) WriteEnd(w io.Writer, d Document) error {
	switch {
	case o.Statistics && o.Format == "json":
		return StatisticsJSON(w, Statistics(d.Files))
	case o.Statistics:
		return WriteStatistics(w, Statistics(d.Files))
	case o.Format != "text":
		return Write(w, o.Format, d)
	}
	return nil
}
