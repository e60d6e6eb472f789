package report

import (
	"fmt"
	"io"

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
