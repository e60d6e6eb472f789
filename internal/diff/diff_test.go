package diff

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// A diffCase is a pair of file versions.
type diffCase struct {
	name     string
	old, new string
}

// lines10k returns a 10,000-line Dockerfile-like text and a copy with
// every 100th line changed (100 changes).
func lines10k() (old, new string) {
	var a, b strings.Builder
	for i := range 10000 {
		l := fmt.Sprintf("RUN echo step %d && true\n", i)
		a.WriteString(l)
		if i%100 == 50 {
			l = fmt.Sprintf("RUN echo step %d && false\n", i)
		}
		b.WriteString(l)
	}
	return a.String(), b.String()
}

func numbered(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		fmt.Fprintf(&b, "line %d\n", i)
	}
	return b.String()
}

func replaceLines(s string, repl map[int]string) string {
	ls := strings.SplitAfter(s, "\n")
	for i, r := range repl {
		ls[i-1] = r
	}
	return strings.Join(ls, "")
}

// cases are compared with GNU diff and applied with patch and git apply.
func cases() []diffCase {
	big, bigNew := lines10k()
	df := "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y curl\nCOPY . /src\nWORKDIR /src\nCMD [\"make\"]\n"
	return []diffCase{
		{"crlf edit", "FROM alpine:3.20\r\nRUN apk add curl\r\nCMD [\"sh\"]\r\n", "FROM alpine:3.20\r\nRUN apk add --no-cache curl\r\nCMD [\"sh\"]\r\n"},
		{"crlf to lf", "FROM a\r\nRUN b\r\n", "FROM a\nRUN b\n"},
		{"pin digest", df, strings.Replace(df, "debian:12", "debian:12@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", 1)},
		{"insert at top", df, "# syntax=docker/dockerfile:1\n" + df},
		{"delete at end", df, strings.TrimSuffix(df, "CMD [\"make\"]\n")},
		{"append at end", df, df + "USER nobody\n"},
		{"no newline old", "FROM a\nRUN b\nCMD c", "FROM a\nRUN b\nCMD c\n"},
		{"no newline new", "FROM a\nRUN b\nCMD c\n", "FROM a\nRUN b\nCMD c"},
		{"no newline both, last line edited", "FROM a\nRUN b\nCMD c", "FROM a\nRUN b\nCMD d"},
		{"no newline both, context", "FROM a\nRUN b\nRUN x\nCMD c", "FROM a\nRUN bb\nRUN x\nCMD c"},
		{"no newline old, far edit", numbered(10) + "tail", replaceLines(numbered(10), map[int]string{2: "two\n"}) + "tail\n"},
		{"empty old", "", df},
		{"empty new", df, ""},
		{"empty old, no newline", "", "FROM scratch"},
		{"single line", "FROM a\n", "FROM b\n"},
		{"two hunks", numbered(30), replaceLines(numbered(30), map[int]string{3: "three\n", 25: "twenty-five\n"})},
		{"merged, gap 6", numbered(30), replaceLines(numbered(30), map[int]string{10: "ten\n", 17: "seventeen\n"})},
		{"split, gap 7", numbered(30), replaceLines(numbered(30), map[int]string{10: "ten\n", 18: "eighteen\n"})},
		{"multi-line insertion", df, strings.Replace(df, "COPY . /src\n", "FROM debian:12 AS build\nRUN make\n\nFROM gcr.io/distroless/base\nCOPY --from=build /src/out /app\n", 1)},
		{"replace many with fewer", numbered(12), replaceLines(numbered(12), map[int]string{5: "", 6: "", 7: "five to seven\n"})},
		{"10k lines, 100 changes", big, bigNew},
		// Ambiguous cases: the change could sit in several places; GNU
		// diff slides it down, next to the change on the other side.
		{"block added between blank lines", "FROM a\n\nRUN x\n\nCMD y\n", "FROM a\n\nRUN x\n\nRUN z\n\nCMD y\n"},
		{"repeated line added", "FROM a\nRUN b\nRUN b\nCMD c\n", "FROM a\nRUN b\nRUN b\nRUN b\nCMD c\n"},
		{"repeated line removed", "FROM a\nCOPY . .\nCOPY . .\nRUN make\n", "FROM a\nCOPY . .\nRUN make\n"},
		{"two repeated lines removed", "RUN a\nRUN a\n}\n}\nCOPY . .\n", "RUN a\n}\nCOPY . .\n"},
		{"line added after its twin", "FROM x\nCOPY . .\n\tfi\n", "FROM x\nFROM x\nCOPY . .\n\tfi\n"},
		{"closing brace added", "if {\n  x\n}\n}\nEOF\n", "if {\n  x\n}\n}\n}\nEOF\n"},
		{"repeated line removed, other edit near", "RUN a\nRUN a\nRUN a\nRUN b\n", "RUN a\nRUN a\nRUN c\n"},
	}
}

// gnuDiff runs GNU diff -u with the labels a/Dockerfile and b/Dockerfile.
func gnuDiff(t *testing.T, old, new string, context int) []byte {
	t.Helper()
	dir := t.TempDir()
	o, n := filepath.Join(dir, "old"), filepath.Join(dir, "new")
	writeFile(t, o, old)
	writeFile(t, n, new)
	cmd := exec.Command("diff", fmt.Sprintf("-U%d", context), "--label", "a/Dockerfile", "--label", "b/Dockerfile", o, n)
	out, err := cmd.Output()
	var ee *exec.ExitError
	if err != nil && !(errors.As(err, &ee) && ee.ExitCode() == 1) {
		t.Fatalf("diff: %v", err)
	}
	return out
}

func writeFile(t *testing.T, path, data string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hasGNUDiff reports whether diff on PATH is GNU diff.
func hasGNUDiff() bool {
	out, err := exec.Command("diff", "--version").Output()
	return err == nil && bytes.Contains(out, []byte("GNU diffutils"))
}

// requireGNUDiff skips unless diff on PATH is GNU diff.
func requireGNUDiff(t *testing.T) {
	t.Helper()
	if !hasGNUDiff() {
		t.Skip("GNU diff not available")
	}
}

func TestUnifiedMatchesGNU(t *testing.T) {
	requireGNUDiff(t)
	for _, c := range cases() {
		for _, context := range []int{0, 1, 3} {
			t.Run(fmt.Sprintf("%s/U%d", c.name, context), func(t *testing.T) {
				want := gnuDiff(t, c.old, c.new, context)
				got := Unified("a/Dockerfile", "b/Dockerfile", []byte(c.old), []byte(c.new), context)
				if !bytes.Equal(got, want) {
					t.Errorf("output differs from GNU diff -U%d\ngot:\n%s\nwant:\n%s", context, clip(got), clip(want))
				}
			})
		}
	}
}

func clip(b []byte) string {
	const max = 2000
	if len(b) > max {
		return string(b[:max]) + "..."
	}
	return string(b)
}

func TestUnifiedGolden(t *testing.T) {
	tests := []struct {
		name     string
		old, new string
		context  int
		want     string
	}{
		{
			name: "equal", old: "FROM a\n", new: "FROM a\n", context: 3,
			want: "",
		},
		{
			name: "both empty", old: "", new: "", context: 3,
			want: "",
		},
		{
			name: "single line", old: "FROM a\n", new: "FROM b\n", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +1 @@\n-FROM a\n+FROM b\n",
		},
		{
			name: "empty old", old: "", new: "FROM a\nRUN b\n", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -0,0 +1,2 @@\n+FROM a\n+RUN b\n",
		},
		{
			name: "empty new", old: "FROM a\n", new: "", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1 +0,0 @@\n-FROM a\n",
		},
		{
			name: "insertion without context", old: "a\nb\nc\n", new: "a\nb\nX\nc\n", context: 0,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -2,0 +3 @@\n+X\n",
		},
		{
			name: "deletion without context", old: "a\nb\nc\n", new: "a\nc\n", context: 0,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -2 +1,0 @@\n-b\n",
		},
		{
			name: "negative context is zero", old: "a\nb\nc\n", new: "a\nc\n", context: -5,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -2 +1,0 @@\n-b\n",
		},
		{
			name: "no newline, both", old: "a\nb", new: "a\nc", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n",
		},
		{
			name: "no newline, context line", old: "a\nb\nc", new: "x\nb\nc", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,3 +1,3 @@\n-a\n+x\n b\n c\n\\ No newline at end of file\n",
		},
		{
			name: "crlf kept", old: "a\r\nb\r\n", new: "a\r\nc\r\n", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n a\r\n-b\r\n+c\r\n",
		},
		{
			name: "removals before additions", old: "a\nb\nc\nd\n", new: "a\nB\nC\nd\n", context: 1,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,4 +1,4 @@\n a\n-b\n-c\n+B\n+C\n d\n",
		},
		{
			name: "invalid utf-8 kept", old: "a\n\xff\xfe\n", new: "a\n\xff\xfd\n", context: 3,
			want: "--- a/Dockerfile\n+++ b/Dockerfile\n@@ -1,2 +1,2 @@\n a\n-\xff\xfe\n+\xff\xfd\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := string(Unified("a/Dockerfile", "b/Dockerfile", []byte(tt.old), []byte(tt.new), tt.context))
			if got != tt.want {
				t.Errorf("Unified:\ngot:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

// TestUnifiedApplies applies every case's diff with GNU patch and with
// git apply, and checks that the file becomes the new version.
func TestUnifiedApplies(t *testing.T) {
	tools := []struct {
		name  string
		check []string // dry run
		apply []string
	}{
		{"patch", []string{"patch", "-p1", "--dry-run", "--batch", "--silent", "-i"}, []string{"patch", "-p1", "--batch", "--silent", "--no-backup-if-mismatch", "-i"}},
		{"git", []string{"git", "apply", "--check"}, []string{"git", "apply"}},
	}
	for _, tool := range tools {
		t.Run(tool.name, func(t *testing.T) {
			if _, err := exec.LookPath(tool.apply[0]); err != nil {
				t.Skipf("%s not available", tool.apply[0])
			}
			for _, c := range cases() {
				for _, context := range []int{1, 3} {
					t.Run(fmt.Sprintf("%s/U%d", c.name, context), func(t *testing.T) {
						testApply(t, tool.check, tool.apply, c, context)
					})
				}
			}
		})
	}
}

func testApply(t *testing.T, check, apply []string, c diffCase, context int) {
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	if err := os.MkdirAll(filepath.Join(work, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(work, "sub", "Dockerfile")
	writeFile(t, target, c.old)
	patchFile := filepath.Join(dir, "change.patch")
	writeFile(t, patchFile, string(Unified("a/sub/Dockerfile", "b/sub/Dockerfile", []byte(c.old), []byte(c.new), context)))

	run := func(args []string) {
		t.Helper()
		cmd := exec.Command(args[0], append(args[1:], patchFile)...)
		cmd.Dir = work
		// Keep the user's and system's git configuration out of it.
		cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES="+dir)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run(check)
	if got := readFile(t, target); got != c.old {
		t.Fatalf("dry run changed the file")
	}
	run(apply)
	if got := readFile(t, target); got != c.new {
		t.Errorf("applied result differs\ngot:  %q\nwant: %q", clip([]byte(got)), clip([]byte(c.new)))
	}
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// ansi matches the escape sequences Write emits.
var ansi = regexp.MustCompile("\x1b\\[[0-9;]*m")

func TestWrite(t *testing.T) {
	for _, c := range cases() {
		t.Run(c.name, func(t *testing.T) {
			want := Unified("a/x", "b/x", []byte(c.old), []byte(c.new), DefaultContext)

			var plain bytes.Buffer
			if err := Write(&plain, "a/x", "b/x", []byte(c.old), []byte(c.new), Options{Context: DefaultContext}); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(plain.Bytes(), want) {
				t.Errorf("Write without colour differs from Unified")
			}

			var colored bytes.Buffer
			if err := Write(&colored, "a/x", "b/x", []byte(c.old), []byte(c.new), Options{Context: DefaultContext, Color: true}); err != nil {
				t.Fatal(err)
			}
			if stripped := ansi.ReplaceAll(colored.Bytes(), nil); !bytes.Equal(stripped, want) {
				t.Errorf("Write with colour, escapes removed, differs from Unified\ngot:  %q\nwant: %q", clip(stripped), clip(want))
			}
		})
	}
}

func TestWriteColor(t *testing.T) {
	const (
		B = bold
		R = red
		G = green
		C = cyan
		V = reverse
		v = reverseOff
		Z = reset
	)
	tests := []struct {
		name     string
		old, new string
		want     string
	}{
		{
			name: "changed word highlighted",
			old:  "FROM debian:12\nRUN apt-get install curl\n",
			new:  "FROM debian:12\nRUN apt-get install --no-install-recommends curl\n",
			want: B + "--- a/x" + Z + "\n" + B + "+++ b/x" + Z + "\n" + C + "@@ -1,2 +1,2 @@" + Z + "\n" +
				" FROM debian:12\n" +
				R + "-RUN apt-get install curl" + Z + "\n" +
				G + "+RUN apt-get install " + V + "--no-install-recommends " + v + "curl" + Z + "\n",
		},
		{
			name: "pairs in order, crlf after reset",
			old:  "FROM a:1\r\nFROM b:1\r\n",
			new:  "FROM a:2\r\nFROM b:2\r\n",
			want: B + "--- a/x" + Z + "\n" + B + "+++ b/x" + Z + "\n" + C + "@@ -1,2 +1,2 @@" + Z + "\n" +
				R + "-FROM a:" + V + "1" + v + Z + "\r\n" +
				R + "-FROM b:" + V + "1" + v + Z + "\r\n" +
				G + "+FROM a:" + V + "2" + v + Z + "\r\n" +
				G + "+FROM b:" + V + "2" + v + Z + "\r\n",
		},
		{
			name: "unequal counts not highlighted",
			old:  "RUN a\nRUN b\n",
			new:  "RUN a && b\n",
			want: B + "--- a/x" + Z + "\n" + B + "+++ b/x" + Z + "\n" + C + "@@ -1,2 +1 @@" + Z + "\n" +
				R + "-RUN a" + Z + "\n" +
				R + "-RUN b" + Z + "\n" +
				G + "+RUN a && b" + Z + "\n",
		},
		{
			name: "nothing shared not highlighted",
			old:  "abc\n",
			new:  "xyz\n",
			want: B + "--- a/x" + Z + "\n" + B + "+++ b/x" + Z + "\n" + C + "@@ -1 +1 @@" + Z + "\n" +
				R + "-abc" + Z + "\n" +
				G + "+xyz" + Z + "\n",
		},
		{
			name: "no newline marker plain",
			old:  "FROM a",
			new:  "FROM b",
			want: B + "--- a/x" + Z + "\n" + B + "+++ b/x" + Z + "\n" + C + "@@ -1 +1 @@" + Z + "\n" +
				R + "-FROM " + V + "a" + v + Z + "\n" + noNewline +
				G + "+FROM " + V + "b" + v + Z + "\n" + noNewline,
		},
		{
			name: "invalid utf-8 not highlighted",
			old:  "RUN \xff1\n",
			new:  "RUN \xff2\n",
			want: B + "--- a/x" + Z + "\n" + B + "+++ b/x" + Z + "\n" + C + "@@ -1 +1 @@" + Z + "\n" +
				R + "-RUN \xff1" + Z + "\n" +
				G + "+RUN \xff2" + Z + "\n",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := Write(&buf, "a/x", "b/x", []byte(tt.old), []byte(tt.new), Options{Context: 3, Color: true}); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tt.want {
				t.Errorf("Write:\ngot:\n%q\nwant:\n%q", got, tt.want)
			}
		})
	}
}

func TestWriteEqualWritesNothing(t *testing.T) {
	for _, color := range []bool{false, true} {
		var buf bytes.Buffer
		if err := Write(&buf, "a/x", "b/x", []byte("FROM a\n"), []byte("FROM a\n"), Options{Context: 3, Color: color}); err != nil {
			t.Fatal(err)
		}
		if buf.Len() != 0 {
			t.Errorf("Color=%v: wrote %q for equal inputs", color, buf.String())
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteError(t *testing.T) {
	err := Write(failWriter{}, "a/Dockerfile", "b/Dockerfile", []byte("a\n"), []byte("b\n"), Options{Context: 3})
	if err == nil || !strings.Contains(err.Error(), "b/Dockerfile") || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write error = %v, want one naming b/Dockerfile and the cause", err)
	}
}

func BenchmarkUnified10k(b *testing.B) {
	old, new := lines10k()
	ob, nb := []byte(old), []byte(new)
	b.SetBytes(int64(len(ob)))
	for b.Loop() {
		Unified("a/Dockerfile", "b/Dockerfile", ob, nb, DefaultContext)
	}
}

func BenchmarkWriteColor10k(b *testing.B) {
	old, new := lines10k()
	ob, nb := []byte(old), []byte(new)
	var buf bytes.Buffer
	b.SetBytes(int64(len(ob)))
	for b.Loop() {
		buf.Reset()
		if err := Write(&buf, "a/Dockerfile", "b/Dockerfile", ob, nb, Options{Context: DefaultContext, Color: true}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestScriptSlides checks where ambiguous changes land: as low as the
// equal lines allow, but next to a change on the other side when there
// is one, as GNU diff places them.
func TestScriptSlides(t *testing.T) {
	tests := []struct {
		old, new string
		want     string // ops of the edit script
	}{
		{"a\na\n", "a\n", " -"},
		{"a\n", "a\na\n", " +"},
		{"x\ny\nx\ny\nz\n", "x\ny\nz\n", "  -- "},
		{"A\nB\nA\nB\n", "A\nB\nC\nA\nB\n", "  +  "},
		{"A\nA\nB\n", "C\nA\nB\n", "-+  "},        // stays with the addition
		{"B\nA\nA\n", "B\nA\nC\n", "  -+"},        // likewise, at the end
		{"a\nb\na\nb\n", "a\nb\nc\n", "  --+"},    // removal slid down to the addition
		{"q\na\na\nq\n", "q\na\nq\nq\n", "  -+ "}, // removal slid down to the addition
	}
	for _, tt := range tests {
		var ops []byte
		for _, l := range script([]byte(tt.old), []byte(tt.new)) {
			ops = append(ops, l.op)
		}
		if string(ops) != tt.want {
			t.Errorf("script(%q, %q) ops = %q, want %q", tt.old, tt.new, ops, tt.want)
		}
		if hasGNUDiff() {
			got := Unified("a/Dockerfile", "b/Dockerfile", []byte(tt.old), []byte(tt.new), 9)
			if want := gnuDiff(t, tt.old, tt.new, 9); !bytes.Equal(got, want) {
				t.Errorf("%q -> %q differs from GNU diff:\ngot:\n%s\nwant:\n%s", tt.old, tt.new, got, want)
			}
		}
	}
}
