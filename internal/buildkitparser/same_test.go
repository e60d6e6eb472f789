package buildkitparser

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"golang.org/x/tools/txtar"

	"github.com/dockmend/dockmend/internal/golden"
)

var corpusDir = flag.String("corpus", "../../../shared/corpus/files", "directory of real Dockerfiles (third-party data, never copied here)")

// sameAsBuildkit parses data with buildkit's parser and with this copy and
// returns how the results differ, or "".
func sameAsBuildkit(data []byte) string {
	want, wantErr := parser.Parse(bytes.NewReader(data))
	got, gotErr := ParseBuildkit(data)
	if (wantErr == nil) != (gotErr == nil) {
		return fmt.Sprintf("buildkit's error %v, the copy's %v", wantErr, gotErr)
	}
	if wantErr != nil {
		if wantErr.Error() != gotErr.Error() {
			return fmt.Sprintf("buildkit's error %q, the copy's %q", wantErr, gotErr)
		}
		if w, g := locations(wantErr), locations(gotErr); !reflect.DeepEqual(w, g) {
			return fmt.Sprintf("error %q: buildkit's locations %v, the copy's %v", wantErr, w, g)
		}
		return ""
	}
	if !reflect.DeepEqual(want, got) {
		return fmt.Sprintf("the results differ:\nbuildkit: %s\ncopy:     %s", dump(want), dump(got))
	}
	return ""
}

func locations(err error) [][]parser.Range {
	var le *parser.LocationError
	if !errors.As(err, &le) {
		return nil
	}
	return le.Locations
}

func dump(r *parser.Result) string {
	var b strings.Builder
	fmt.Fprintf(&b, "escape %q, warnings %+v\n", r.EscapeToken, r.Warnings)
	for _, n := range r.AST.Children {
		fmt.Fprintf(&b, "%d-%d %q %q heredocs %+v comments %q: %s\n", n.StartLine, n.EndLine, n.Original, n.Flags, n.Heredocs, n.PrevComment, n.Dump())
	}
	return b.String()
}

// edgeCases are inputs written for the line continuation and what is
// around it: the escape tokens, blanks after them, escaped escape tokens,
// comments and empty lines inside an instruction, heredocs, CRLF.
var edgeCases = []string{
	"FROM a\nRUN b \\\n c\n",
	"FROM a\nRUN b \\  \t\n c\n",
	"FROM a\nRUN b \\\\\nRUN c\n",
	"FROM a\nRUN b \\\\\\\n c\n",
	"FROM a\nRUN b\\\n\\\n c\n",
	"FROM a\nRUN \\\n\n  c\n",
	"FROM a\nRUN b \\\n# comment\n c\n",
	"FROM a\nRUN b \\\r\n c\r\n",
	"FROM a\nRUN b \\ \r\n c \\\r\n",
	"FROM a\nRUN b \\",
	"FROM a\nRUN b \\\n",
	"\\\nFROM a\n",
	"FROM a\n\\\n",
	"FROM a\nRUN é\\\n c\n",
	"FROM a\nRUN \xff\\\n c\n",
	"FROM a\nRUN \t\\\n c\n",
	"# escape=`\nFROM a\nRUN b `\n c\n",
	"# escape=`\nFROM a\nRUN b ``\nRUN c \\\n",
	"# escape=`\nFROM a\nRUN b \\\n c `  \n d\n",
	"# escape=`\n# escape=\\\nFROM a\n",
	"# escape=x\nFROM a\n",
	"# syntax=docker/dockerfile:1\n# escape=`\nFROM a\nRUN `\n",
	"FROM a\nRUN <<EOF \\\n && b\nc \\\nEOF\n",
	"FROM a\nRUN <<-EOF\n\tc\n\tEOF\n",
	"FROM a\nRUN <<EOF\nc\n",
	"FROM a\nCOPY <<a.txt <<b.txt /dst/\nA\na.txt\nB\nb.txt\n",
	"FROM a\nONBUILD RUN <<EOF\nc\nEOF\n",
	"FROM a\nRUN [\"a\", \\\n \"b\"]\n",
	"FROM a\nENV A=1 \\\n B=2\n",
	"FROM a\nLABEL a=\"b \\\n c\"\n",
	"FROM a\nHEALTHCHECK --interval=5s \\\n CMD true\n",
	"FROM a\nRUN --mount=type=cache,target=/x \\\n  b\n",
	"",
	"# only a comment\n",
	"\uFEFFFROM a\n",
	"FROM a\nUNKNOWN b\n",
	"FROM a\nRUN " + strings.Repeat("x", 70000) + "\n",
}

// TestSameAsBuildkit parses buildkit's own test files, this repository's
// test Dockerfiles, the edge cases above and, when it is there, the test
// corpus (a tenth of it with -short) with both parsers and compares every
// result.
func TestSameAsBuildkit(t *testing.T) {
	var n int
	check := func(name string, data []byte) {
		t.Helper()
		n++
		if d := sameAsBuildkit(data); d != "" {
			t.Errorf("%s: %s", name, d)
		}
	}
	for i, c := range edgeCases {
		check(fmt.Sprintf("edge case %d", i), []byte(c))
	}

	dir, _ := buildkitModule(t)
	files, _ := filepath.Glob(filepath.Join(dir, "frontend", "dockerfile", "parser", "testfiles*", "*", "Dockerfile"))
	if len(files) < 30 {
		t.Fatalf("%d of buildkit's parser test files in %s: expected them all", len(files), dir)
	}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		check(f, data)
	}

	before := n
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && (d.Name() == ".git" || d.Name() == "node_modules"):
			return filepath.SkipDir
		case d.IsDir():
			return nil
		case strings.HasPrefix(d.Name(), "Dockerfile"):
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			check(path, data)
		case strings.HasSuffix(d.Name(), ".txtar"):
			a, err := txtar.ParseFile(path)
			if err != nil {
				return err
			}
			for _, f := range a.Files {
				if strings.HasPrefix(filepath.Base(f.Name), "Dockerfile") {
					check(path+": "+f.Name, golden.Unescape(f.Data))
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	repo := n - before
	if repo < 500 {
		t.Errorf("only %d Dockerfiles in this repository's test data", repo)
	}
	counts := fmt.Sprintf("%d edge cases, %d of buildkit's test files, %d Dockerfiles of this repository's tests", len(edgeCases), len(files), repo)

	corpus, err := os.ReadDir(*corpusDir)
	if err != nil {
		t.Logf("compared %s; the test corpus is not here (%v)", counts, err)
		return
	}
	compared := 0
	for i, e := range corpus {
		if testing.Short() && i%10 != 0 {
			continue // -short: a tenth of the corpus
		}
		compared++
		data, err := os.ReadFile(filepath.Join(*corpusDir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		check(e.Name(), data)
	}
	t.Logf("compared %s and %d of the %d corpus files", counts, compared, len(corpus))
}

// FuzzSameAsBuildkit compares the two parsers on generated input, from the
// edge cases above.
func FuzzSameAsBuildkit(f *testing.F) {
	for _, c := range edgeCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if d := sameAsBuildkit(data); d != "" {
			t.Error(d)
		}
	})
}

// TestTrimContinuation holds the scan that replaces buildkit's regular
// expression to the expression itself, on every line of up to five
// characters made of letters, blanks, both escape tokens and a two-byte
// character, with both escape tokens.
func TestTrimContinuation(t *testing.T) {
	alphabet := []string{"a", " ", "\t", "\\", "`", "é"}
	lines := []string{""}
	for prev := lines; len(prev[0]) < 5; {
		var next []string
		for _, l := range prev {
			for _, c := range alphabet {
				next = append(next, l+c)
			}
		}
		lines = append(lines, next...)
		prev = next
	}
	for _, escape := range []rune{'\\', '`'} {
		s := string(escape)
		re := regexp.MustCompile(`([^\` + s + `])\` + s + `[ \t]*$|^\` + s + `[ \t]*$`)
		for _, line := range lines {
			want, wantCont := []byte(line), false
			if re.MatchString(line) {
				want, wantCont = re.ReplaceAll([]byte(line), []byte("$1")), true
			}
			got, cont := TrimContinuation([]byte(line), escape)
			if cont != wantCont || !bytes.Equal(got, want) {
				t.Errorf("escape %q, line %q: got %q, %v; the expression gives %q, %v", escape, line, got, cont, want, wantCont)
			}
		}
	}
	t.Logf("%d lines, each with both escape tokens", len(lines))
}
