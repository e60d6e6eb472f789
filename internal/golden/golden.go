// Package golden holds what dockmend's golden tests share: the -update
// flag, the escapes that txtar sections use for bytes they cannot hold,
// and documents whose generated blocks a test keeps current. Rule goldens
// are run by internal/transformtest, which builds on it.
package golden

import (
	"flag"
	"fmt"
	"os"
	"strings"
)

var update = flag.Bool("update", false, "rewrite golden files and generated blocks instead of comparing them")

// Update reports whether the test binary runs with -update: tests then
// rewrite their golden files rather than compare with them. "make update"
// runs every package that has them so.
func Update() bool { return *update }

// Testing is what golden needs of a test; *testing.T has it.
type Testing interface {
	Helper()
	Errorf(format string, args ...any)
}

// Unescape turns the escapes of a txtar section into bytes: "<CR>" is a
// carriage return (CRLF files), "<TAB>" a tab, "<BOM>" a UTF-8 byte order
// mark, and a last line "<NOEOL>" drops the line ending before it.
func Unescape(b []byte) []byte {
	s := strings.NewReplacer("<CR>", "\r", "<TAB>", "\t", "<BOM>", "\uFEFF").Replace(string(b))
	s, _ = strings.CutSuffix(s, "\n<NOEOL>\n")
	return []byte(s)
}

// Escape writes b for a txtar section, so that Unescape gives it back:
// carriage returns as "<CR>", and "<NOEOL>" after a last line without a
// line ending. Tabs stay as they are.
func Escape(b []byte) []byte {
	s := strings.ReplaceAll(string(b), "\r", "<CR>")
	if !strings.HasSuffix(s, "\n") {
		s += "\n<NOEOL>\n"
	}
	return []byte(s)
}

// Block checks that the document at path holds want between the lines
// begin and end (each followed by a line ending), as a generator would
// write it; with -update it writes want there instead. A missing
// document, or one without the markers, fails the test: generated
// documentation is part of the repository.
func Block(t Testing, path, begin, end, want string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Errorf("%v", err)
		return
	}
	doc := string(data)
	i, j := strings.Index(doc, begin), strings.Index(doc, end)
	if i < 0 || j < i+len(begin) {
		t.Errorf("%s has no %q ... %q block", path, begin, end)
		return
	}
	if doc[i+len(begin):j] == want {
		return
	}
	if Update() {
		if err := os.WriteFile(path, []byte(doc[:i+len(begin)]+want+doc[j:]), 0o644); err != nil {
			t.Errorf("%v", err)
		}
		return
	}
	t.Errorf("%s: the block after %q is out of date; run go test with -update (make update)\n%s", path, begin, diffHint(doc[i+len(begin):j], want))
}

// diffHint shows the first line where got and want differ.
func diffHint(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	for k := 0; k < len(g) || k < len(w); k++ {
		var gl, wl string
		if k < len(g) {
			gl = g[k]
		}
		if k < len(w) {
			wl = w[k]
		}
		if gl != wl {
			return fmt.Sprintf("line %d:\n  have %q\n  want %q", k+1, gl, wl)
		}
	}
	return ""
}
