// Package report renders findings as text for people, and as JSON and
// SARIF 2.1.0 for programs.
//
// The text format is one finding per line,
//
//	path:line:column: rule[CODE]: message [*]
//
// where [CODE] is the hadolint or BuildKit check id the finding matches (left
// out when there is none) and [*] marks a finding that "dockmend fix" would
// fix. Text and JSON columns are 1-based and count bytes, like Go's tools;
// SARIF columns count Unicode code points, as its columnKind says.
package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/plural"
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
func Text(w io.Writer, f File) error {
	var b strings.Builder
	for _, fd := range f.Findings {
		fmt.Fprintf(&b, "%s:%d:%d: %s", f.Path, fd.Line, fd.Col, fd.Rule)
		if fd.Code != "" {
			fmt.Fprintf(&b, "[%s]", fd.Code)
		}
		fmt.Fprintf(&b, ": %s", fd.Message)
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
	// unsafeOn records that some file had unsafe fixes on.
	unsafeOn bool
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
