package source

import (
	"bytes"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

func TestParseErrors(t *testing.T) {
	long := strings.Repeat("a", MaxLineLength+1)
	tests := []struct {
		name string
		src  string
		line int
		msg  string // substring of the error text after "path:line: "
	}{
		{"empty", "", 0, "no instructions"},
		{"comments only", "# a comment\n\n", 0, "no instructions"},
		{"blank lines only", "\n \n\t\n", 0, "no instructions"},
		{"NUL byte", "FROM a\nRUN echo \x00\n", 2, "NUL"},
		{"unknown instruction", "FROM a\nRUNN echo\n", 2, "unknown instruction: RUNN (did you mean RUN?)"},
		{"misspelt FROM", "FROMM ubuntu\n", 1, "unknown instruction: FROMM"},
		{"prose", "# Notes\n\nInstall it with:\n\n    RUN apt-get install curl\n", 3, "unknown instruction: Install"},
		{"a passwd file", "root:x:0:0:root:/root:/bin/bash\n", 1, "unknown instruction: root:x:0:0:root:/root:/bin/bash"},
		{"line too long", "FROM a\nRUN " + long + "\n", 2, "line longer than 65535 bytes"},
		{"last line too long", "FROM a\n\nRUN " + long, 3, "line longer than 65535 bytes"},
		{"unterminated heredoc", "FROM a\nRUN <<EOF\necho\n", 2, "unterminated heredoc"},
		{"second heredoc unterminated", "FROM a\nRUN <<A cat - <<B\na\nA\nb\n", 2, "unterminated heredoc"},
		{"duplicate escape directive", "# escape=`\n# escape=\\\nFROM a\n", 2, "only one escape parser directive"},
		{"duplicate syntax directive", "# syntax=a\n# check=x\n# Syntax=b\nFROM a\n", 3, "only one syntax parser directive"},
		{"invalid escape token", "# escape=x\nFROM a\n", 1, "invalid escape token"},
		{"ENV without a value", "FROM a\nENV A\n", 2, "ENV must have two arguments"},
		{"bad JSON array", "FROM a\nSHELL [\"sh\", 1]\n", 2, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Parse("dir/Dockerfile", []byte(tt.src))
			if err == nil {
				t.Fatalf("parsed %d instructions, want an error", len(f.Instructions))
			}
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("error %T %v is not an *Error", err, err)
			}
			if pe.Path != "dir/Dockerfile" || pe.Line != tt.line {
				t.Errorf("error %q at %s:%d, want line %d", err, pe.Path, pe.Line, tt.line)
			}
			if !strings.Contains(pe.Err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			prefix := "dir/Dockerfile: "
			if tt.line > 0 {
				prefix = "dir/Dockerfile:" + itoa(tt.line) + ": "
			}
			if !strings.HasPrefix(err.Error(), prefix) {
				t.Errorf("error %q does not start with %q", err, prefix)
			}
			if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), "dockerfile parse error") {
				t.Errorf("error %q is not one clean line", err)
			}
			if errors.Unwrap(err) != pe.Err {
				t.Error("Unwrap does not return the cause")
			}
		})
	}
}

func itoa(n int) string {
	var b []byte
	for n > 0 || len(b) == 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}

// TestLineLengthLimit checks the limit at its edge and that our verdict
// agrees with buildkit's scanner, for LF, CRLF and a final line without a
// line ending.
func TestLineLengthLimit(t *testing.T) {
	for _, tt := range []struct {
		name string
		n    int // bytes on the long line, line ending excluded
		eol  string
		ok   bool
	}{
		{"at the limit", MaxLineLength, "\n", true},
		{"one over", MaxLineLength + 1, "\n", false},
		{"at the limit with CR", MaxLineLength - 1, "\r\n", true},
		{"one over with CR", MaxLineLength, "\r\n", false},
		{"at the limit without EOL", MaxLineLength, "", true},
		{"one over without EOL", MaxLineLength + 1, "", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			src := "FROM a\nRUN " + strings.Repeat("b", tt.n-len("RUN ")) + tt.eol
			_, err := Parse("Dockerfile", []byte(src))
			if (err == nil) != tt.ok {
				t.Errorf("Parse error %v, want ok = %v", err, tt.ok)
			}
			_, bkErr := parser.Parse(bytes.NewReader([]byte(src)))
			if (bkErr == nil) != (err == nil) {
				t.Errorf("buildkit says %v, we say %v", bkErr, err)
			}
		})
	}
}

func TestInstructionsErr(t *testing.T) {
	tests := []struct {
		name string
		src  string
		bad  bool
	}{
		{"valid", "FROM a AS b\nCOPY --from=b /x /y\n", false},
		// buildkit checks a trigger only when an image is built on this one.
		{"unknown ONBUILD trigger", "FROM a\nONBUILD FROOM b\n", false},
		{"FROM with two arguments", "FROM a b\n", true},
		{"flag without value", "FROM a\nCOPY --from /a /b\n", true},
		{"FROM as an ONBUILD trigger", "FROM a\nONBUILD FROM b\n", true},
		{"lone CR file", "FROM alpine\rRUN x\r", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			if (f.InstructionsErr() != nil) != tt.bad {
				t.Errorf("InstructionsErr = %v, want error %v", f.InstructionsErr(), tt.bad)
			}
		})
	}
}

func TestLinesAndPositions(t *testing.T) {
	src := "FROM a\r\nRUN b\n\nCMD c"
	f := mustParse(t, src)
	if f.NumLines() != 4 {
		t.Fatalf("NumLines = %d, want 4", f.NumLines())
	}
	for _, tt := range []struct {
		line       int
		start, end int
		text       string
	}{
		{1, 0, 8, "FROM a"},
		{2, 8, 14, "RUN b"},
		{3, 14, 15, ""},
		{4, 15, 20, "CMD c"},
		{0, 20, 20, ""},
		{5, 20, 20, ""},
	} {
		s, e := f.Line(tt.line)
		if s != tt.start || e != tt.end || f.LineText(tt.line) != tt.text {
			t.Errorf("Line(%d) = [%d,%d) %q, want [%d,%d) %q", tt.line, s, e, f.LineText(tt.line), tt.start, tt.end, tt.text)
		}
	}
	for _, tt := range []struct{ off, line, col int }{
		{0, 1, 1}, {6, 1, 7}, {7, 1, 8}, {8, 2, 1}, {13, 2, 6}, {14, 3, 1}, {15, 4, 1}, {19, 4, 5}, {20, 4, 6},
	} {
		if l, c := f.Position(tt.off); l != tt.line || c != tt.col {
			t.Errorf("Position(%d) = %d:%d, want %d:%d", tt.off, l, c, tt.line, tt.col)
		}
	}
}

func TestEOL(t *testing.T) {
	for _, tt := range []struct{ src, eol string }{
		{"FROM a\n", "\n"},
		{"FROM a\r\nRUN b\r\n", "\r\n"},
		{"FROM a\r\nRUN b\nRUN c\r\n", "\r\n"},
		{"FROM a\r\nRUN b\nRUN c\n", "\n"},
		{"FROM a", "\n"},
		{"FROM a\rRUN b\r", "\n"},
	} {
		if got := mustParse(t, tt.src).EOL(); got != tt.eol {
			t.Errorf("EOL(%q) = %q, want %q", tt.src, got, tt.eol)
		}
	}
}

// TestLineStarts checks lineStarts and checkText's line numbers against
// byte-by-byte definitions.
func TestLineStarts(t *testing.T) {
	long := strings.Repeat("x", MaxLineLength+1)
	for _, data := range []string{
		"", "\n", "\n\n", "a", "a\n", "a\nb", "a\nb\n", "\na\n\nb", "ab\r\ncd\r\n",
		"a\n" + long, "a\n" + long + "\n", long + "\nb", "a\nb\n" + long + "\nc\n" + long,
	} {
		want := []int{0}
		for i := range len(data) {
			if data[i] == '\n' && i+1 < len(data) {
				want = append(want, i+1)
			}
		}
		want = append(want, len(data))
		if got := lineStarts([]byte(data)); !slices.Equal(got, want) {
			t.Errorf("lineStarts(%.20q) = %v, want %v", data, got, want)
		}
		wantLine := 0 // the first line over the limit
		for i, l := range strings.Split(data, "\n") {
			if len(l) > MaxLineLength {
				wantLine = i + 1
				break
			}
		}
		err := checkText([]byte(data))
		switch {
		case wantLine == 0 && err != nil:
			t.Errorf("checkText(%.20q) = %v", data, err)
		case wantLine > 0 && (err == nil || err.Line != wantLine):
			t.Errorf("checkText(%.20q) = %v, want an error on line %d", data, err, wantLine)
		}
	}
}
