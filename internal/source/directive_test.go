package source

import (
	"testing"
)

func TestEscapeDirective(t *testing.T) {
	tests := []struct {
		name    string
		src     string
		escape  rune
		logical string // of the last instruction
	}{
		{"default", "FROM a\nRUN a \\\n b\n", '\\', "RUN a  b"},
		{"backtick", "# escape=`\nFROM a\nRUN a `\n b\n", '`', "RUN a  b"},
		{"backslash spelt out", "# escape=\\\nFROM a\nRUN a \\\n b\n", '\\', "RUN a  b"},
		{"no space", "#escape=`\nFROM a\nRUN a `\n b\n", '`', "RUN a  b"},
		{"upper case and spaces", "# ESCAPE = `\nFROM a\nRUN a `\n b\n", '`', "RUN a  b"},
		{"after another directive", "# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN a `\n b\n", '`', "RUN a  b"},
		{"CRLF", "# escape=`\r\nFROM a\r\nRUN a `\r\n b\r\n", '`', "RUN a  b"},
		{"after a BOM", "\uFEFF# escape=`\nFROM a\nRUN a `\n b\n", '`', "RUN a  b"},
		{"indented", "  # escape=`\nFROM a\nRUN a `\n b\n", '`', "RUN a  b"},
		{"a blank line ends the directives", "\n# escape=`\nFROM a\nRUN a \\\n b\n", '\\', "RUN a  b"},
		{"a blank line after a directive ends them", "# syntax=x\n\n# escape=`\nFROM a\nRUN a \\\n b\n", '\\', "RUN a  b"},
		{"ignored after a comment", "# hello\n# escape=`\nFROM a\nRUN a \\\n b\n", '\\', "RUN a  b"},
		{"ignored after an instruction", "FROM a\n# escape=`\nRUN a `\n", '\\', "RUN a `"},
		{"backtick escapes are literal text without the directive", "FROM a\nRUN a `\n", '\\', "RUN a `"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			if f.Escape != tt.escape {
				t.Errorf("Escape = %q, want %q", f.Escape, tt.escape)
			}
			last := f.Instructions[len(f.Instructions)-1]
			if last.Logical != tt.logical {
				t.Errorf("last instruction %q, want %q", last.Logical, tt.logical)
			}
			for _, e := range mapErrors(f) {
				t.Error(e)
			}
		})
	}
}

func TestDirectives(t *testing.T) {
	type dir struct {
		name, value string
		line        int
	}
	tests := []struct {
		name string
		src  string
		want []dir
	}{
		{"none", "FROM a\n", nil},
		{"syntax and check", "# syntax=docker/dockerfile:1.7\n# check=skip=JSONArgsRecommended;error=true\nFROM a\n",
			[]dir{{"syntax", "docker/dockerfile:1.7", 1}, {"check", "skip=JSONArgsRecommended;error=true", 2}}},
		{"spaces around =", "#  Syntax  =  docker/dockerfile:1  \nFROM a\n",
			[]dir{{"syntax", "docker/dockerfile:1", 1}}},
		{"CRLF", "# syntax=docker/dockerfile:1\r\n# escape=`\r\nFROM a\r\n",
			[]dir{{"syntax", "docker/dockerfile:1", 1}, {"escape", "`", 2}}},
		{"BOM", "\uFEFF# syntax=docker/dockerfile:1\nFROM a\n",
			[]dir{{"syntax", "docker/dockerfile:1", 1}}},
		{"leading white space", "  \t# escape=`\n FROM a\n",
			[]dir{{"escape", "`", 1}}},
		{"value repeating the name", "# check=check=x\nFROM a\n",
			[]dir{{"check", "check=x", 1}}},
		{"unknown directive ends the block", "# foo=bar\n# syntax=x\nFROM a\n", nil},
		{"after a comment", "# hello\n# syntax=x\nFROM a\n", nil},
		{"after a blank line", "\n# syntax=x\nFROM a\n", nil},
		{"after an instruction", "FROM a\n# syntax=x\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			if len(f.Directives) != len(tt.want) {
				t.Fatalf("directives %+v, want %+v", f.Directives, tt.want)
			}
			for i, w := range tt.want {
				d := f.Directives[i]
				if d.Name != w.name || d.Value != w.value || d.Line != w.line {
					t.Errorf("directive %d = %s=%q line %d, want %s=%q line %d", i, d.Name, d.Value, d.Line, w.name, w.value, w.line)
				}
				if got := string(f.Data[d.ValueStart:d.ValueEnd]); got != w.value {
					t.Errorf("directive %s: value bytes [%d,%d) are %q, want %q", d.Name, d.ValueStart, d.ValueEnd, got, w.value)
				}
				if l, _ := f.Position(d.ValueStart); l != w.line {
					t.Errorf("directive %s: value on line %d, want %d", d.Name, l, w.line)
				}
				if f.Directive(w.name) != d {
					t.Errorf("Directive(%q) does not find it", w.name)
				}
			}
			if f.Directive("nosuch") != nil {
				t.Error("Directive(nosuch) found something")
			}
		})
	}
}
