package golden

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestEscapes(t *testing.T) {
	for _, tt := range []struct{ section, bytes string }{
		{"FROM a<CR>\nRUN b<CR>\n", "FROM a\r\nRUN b\r\n"},
		{"FROM a\nRUN b\n<NOEOL>\n", "FROM a\nRUN b"},
		{"<BOM>FROM a\n", "\uFEFFFROM a\n"},
		{"RUN<TAB>b\n", "RUN\tb\n"},
	} {
		if got := string(Unescape([]byte(tt.section))); got != tt.bytes {
			t.Errorf("Unescape(%q) = %q, want %q", tt.section, got, tt.bytes)
		}
		if got := string(Unescape(Escape([]byte(tt.bytes)))); got != tt.bytes {
			t.Errorf("Unescape(Escape(%q)) = %q", tt.bytes, got)
		}
	}
}

type recorder struct{ errors []string }

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func TestBlock(t *testing.T) {
	dir := t.TempDir()
	doc := filepath.Join(dir, "doc.md")
	if err := os.WriteFile(doc, []byte("intro\n<!-- begin -->\n| a |\n<!-- end -->\nmore\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name, path, want, err string
	}{
		{"current", doc, "\n| a |\n", ""},
		{"out of date", doc, "\n| b |\n", "out of date"},
		{"no document", filepath.Join(dir, "missing.md"), "\n", "no such file"},
		{"no markers", doc, "", "has no"},
	} {
		r := &recorder{}
		begin := "<!-- begin -->"
		if tt.name == "no markers" {
			begin = "<!-- other -->"
		}
		Block(r, tt.path, begin, "<!-- end -->", tt.want)
		if got := strings.Join(r.errors, "\n"); (tt.err == "") != (got == "") || !strings.Contains(got, tt.err) {
			t.Errorf("%s: errors %q, want %q", tt.name, got, tt.err)
		}
	}
}
