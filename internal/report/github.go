package report

import (
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/severity"
)

// GitHub writes the findings of files and the errors as GitHub Actions
// workflow commands, one a line, which the runner turns into annotations
// on the pull request's diff and the run's summary:
//
//	::warning file=app/Dockerfile,line=3,col=5,endLine=3,endColumn=20,title=dockmend apt[DL3014]::apt-get install without -y ... [*]
//
// Errors are ::error, warnings ::warning, info and style ::notice. Paths
// are relative to wd (the working directory, the checkout in a workflow);
// columns count code points. Values are escaped as the runner unescapes
// them (%25, %0D, %0A, and in parameters %3A and %2C), so that nothing in
// a message can end the command or start another. The format is
// documented in GitHub's "Workflow commands for GitHub Actions"
// (docs.github.com/en/actions/reference/workflow-commands-for-github-actions).
func GitHub(w io.Writer, files []File, errs []Error, wd string) error {
	var b strings.Builder
	for _, f := range files {
		path := displayPath(f.Path, wd)
		for _, fd := range f.Findings {
			r := region(f.Data, fd.Start, fd.End)
			id := fd.Rule
			if fd.Code != "" {
				id += "[" + fd.Code + "]"
			}
			msg := fd.Message
			if fd.Fixable(f.UnsafeFixes) {
				msg += " [*]"
			}
			fmt.Fprintf(&b, "::%s file=%s,line=%d,col=%d,endLine=%d,endColumn=%d,title=%s::%s\n",
				githubCommand(fd.Level), ghProperty(path), r.StartLine, r.StartColumn, r.EndLine, r.EndColumn,
				ghProperty("dockmend "+id), ghData(msg))
		}
	}
	for _, e := range errs {
		if e.Path != "" {
			fmt.Fprintf(&b, "::error file=%s,title=dockmend::%s\n", ghProperty(displayPath(e.Path, wd)), ghData(e.Message))
		} else {
			fmt.Fprintf(&b, "::error title=dockmend::%s\n", ghData(e.Message))
		}
	}
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("writing GitHub annotations: %w", err)
	}
	return nil
}

// githubCommand returns the workflow command of a level.
func githubCommand(l severity.Level) string {
	switch l {
	case severity.Error:
		return "error"
	case severity.Warning:
		return "warning"
	}
	return "notice"
}

// ghData escapes a workflow command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a workflow command's parameter value.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

// displayPath returns a file's path for a report that wants paths relative
// to the repository (the working directory): relative to wd with forward
// slashes when the file is inside it, else absolute.
func displayPath(path, wd string) string {
	if !filepath.IsAbs(path) {
		return filepath.ToSlash(filepath.Clean(path))
	}
	if rel, err := filepath.Rel(wd, path); wd != "" && err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return filepath.ToSlash(rel)
	}
	return filepath.ToSlash(path)
}
