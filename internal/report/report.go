// Package report renders findings as text for people, and for programs
// as JSON, SARIF 2.1.0 (code scanning), GitHub workflow commands
// (annotations on a pull request), a GitLab Code Quality report and
// Checkstyle XML (Jenkins and others).
//
// The text format is one finding per line,
//
//	path:line:column: rule[CODE] level: message [*]
//
// where [CODE] is the hadolint or BuildKit check id the finding matches (left
// out when there is none), level is the finding's (error, warning, info,
// style) and [*] marks a finding that "dockmend fix" would fix. Text and
// JSON columns are 1-based and count bytes, like Go's tools; SARIF,
// GitHub and Checkstyle columns count Unicode code points.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/severity"
)

// File is the findings on one file.
type File struct {
	// Path names the file as the user gave or discovery found it.
	Path string
	// Data is the file's content; SARIF uses it to count columns.
	Data []byte
	// Findings are the file's findings, in order.
	Findings []engine.Finding
	// UnsafeFixes reports whether unsafe fixes are applied to this file,
	// which makes findings with unsafe fixes fixable.
	UnsafeFixes bool
}

// Error is a file that could not be processed.
type Error struct {
	// Path names the file; empty when the error concerns no one file.
	Path string
	// Message says what went wrong; it starts with the path when there is
	// one, as in "Dockerfile:3: unterminated heredoc".
	Message string
}

// Text writes f's findings, one per line.
func Text(w io.Writer, f File) error { return WriteText(w, f, TextOptions{}) }

// TextOptions configure WriteText.
type TextOptions struct {
	// Color colours the rule and the level with ANSI escapes, for a
	// terminal.
	Color bool
}

// ANSI escapes of the text format's colours.
const (
	bold    = "\x1b[1m"
	red     = "\x1b[31m"
	yellow  = "\x1b[33m"
	blue    = "\x1b[34m"
	magenta = "\x1b[35m"
	cyan    = "\x1b[36m"
	reset   = "\x1b[0m"
)

// levelColor is the colour of each level in the text format.
var levelColor = map[severity.Level]string{
	severity.Error:   bold + red,
	severity.Warning: yellow,
	severity.Info:    blue,
	severity.Style:   magenta,
}

// WriteText writes f's findings, one per line.
func WriteText(w io.Writer, f File, o TextOptions) error {
	paint := func(color, s string) string {
		if !o.Color || color == "" {
			return s
		}
		return color + s + reset
	}
	var b strings.Builder
	for _, fd := range f.Findings {
		id := fd.Rule
		if fd.Code != "" {
			id += "[" + fd.Code + "]"
		}
		fmt.Fprintf(&b, "%s:%d:%d: %s %s: %s", f.Path, fd.Line, fd.Col, paint(bold+cyan, id), paint(levelColor[fd.Level], fd.Level.String()), fd.Message)
		if fd.Fixable(f.UnsafeFixes) {
			b.WriteString(" [*]")
		}
		b.WriteByte('\n')
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Counts tallies findings for the summary line.
type Counts struct {
	// Files is the number of files counted.
	Files int
	// Findings is the number of findings.
	Findings int
	// Fixable is the number "dockmend fix" would fix, with the settings
	// in effect.
	Fixable int
	// Unsafe is the number that only --unsafe-fixes would fix.
	Unsafe int
	// Failing is the number at or above the failure threshold of their
	// file (see AddFailing).
	Failing int
	// unsafeOn records that some file had unsafe fixes on.
	unsafeOn bool
}

// AddFailing counts one file's findings, and those at threshold or above
// among them (severity.Level.Fails).
func (c *Counts) AddFailing(f File, threshold severity.Level) {
	c.Add(f)
	for _, fd := range f.Findings {
		if fd.Level.Fails(threshold) {
			c.Failing++
		}
	}
}

// Add counts one file's findings.
func (c *Counts) Add(f File) {
	c.Files++
	c.unsafeOn = c.unsafeOn || f.UnsafeFixes
	for _, fd := range f.Findings {
		c.Findings++
		switch {
		case fd.Fixable(f.UnsafeFixes):
			c.Fixable++
		case fd.Fixable(true):
			c.Unsafe++
		}
	}
}

// String returns the summary, such as "3 findings, 2 fixable with
// `dockmend fix`, 1 more with `dockmend fix --unsafe-fixes`", or "no
// findings in 4 files".
func (c Counts) String() string {
	if c.Findings == 0 {
		return fmt.Sprintf("no findings in %s", plural.Of(c.Files, "file"))
	}
	s := plural.Of(c.Findings, "finding")
	cmd := "`dockmend fix`"
	if c.unsafeOn {
		cmd = "`dockmend fix --unsafe-fixes`"
	}
	if c.Fixable > 0 {
		s += fmt.Sprintf(", %d fixable with %s", c.Fixable, cmd)
	}
	if c.Unsafe > 0 {
		s += fmt.Sprintf(", %d more with --unsafe-fixes", c.Unsafe)
	}
	return s
}

// Threshold says how many findings reach the failure threshold when not
// all do, for check's summary line: "" when all do (or there are none),
// "; 2 at the failure threshold or above", or "; none at the failure
// threshold or above".
func (c Counts) Threshold() string {
	switch {
	case c.Failing == c.Findings:
		return ""
	case c.Failing == 0:
		return "; none at the failure threshold or above"
	}
	return fmt.Sprintf("; %d at the failure threshold or above", c.Failing)
}

// Remainder describes the findings left after fixing, for fix's summary
// line: "" when there are none, or "; 2 findings remain (1 fixable with
// --unsafe-fixes)".
func (c Counts) Remainder() string {
	if c.Findings == 0 {
		return ""
	}
	verb := "remain"
	if c.Findings == 1 {
		verb = "remains"
	}
	s := fmt.Sprintf("; %s %s", plural.Of(c.Findings, "finding"), verb)
	if c.Unsafe > 0 {
		s += fmt.Sprintf(" (%d fixable with --unsafe-fixes)", c.Unsafe)
	}
	return s
}

// Fixes counts what diff and fix did, for their summary line.
type Fixes struct {
	// Fixed counts the fixes applied.
	Fixed int
	// Changed and Unchanged count the files processed, changed or left
	// as they were.
	Changed, Unchanged int
	// Failed counts the files, arguments or settings that failed.
	Failed int
}

// Add counts one file's result.
func (s *Fixes) Add(res *engine.Result) {
	if res.Changed() {
		s.Changed++
		s.Fixed += res.Fixed
	} else {
		s.Unchanged++
	}
}

// String returns "VERB N issues in M files (K files unchanged)", with
// ", E errors" inside the parentheses when there were errors.
func (s Fixes) String(verb string) string {
	errs := ""
	if s.Failed > 0 {
		errs = ", " + plural.Of(s.Failed, "error")
	}
	return fmt.Sprintf("%s %s in %s (%s unchanged%s)", verb, plural.Of(s.Fixed, "issue"), plural.Of(s.Changed, "file"), plural.Of(s.Unchanged, "file"), errs)
}
