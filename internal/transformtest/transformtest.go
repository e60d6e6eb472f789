// Package transformtest runs golden tests for transformers, after
// golang.org/x/tools/go/analysis/analysistest. It is the one harness of
// dockmend's rule goldens.
//
// Each test case is a txtar archive in a testdata directory:
//
//	Adds -y to apt-get install.
//	-- Dockerfile --
//	FROM debian:12
//	RUN apt-get install curl
//	-- Dockerfile.golden --
//	FROM debian:12
//	RUN apt-get install -y curl
//	-- findings --
//	2:5 apt DL3014: apt-get install without -y [safe fix]
//
// The archive's comment describes the case. Optional sections: "options"
// (words; "unsafe" applies unsafe fixes, "nofix" only checks findings,
// others are for the suite's Setup), "findings", and "Dockerfile.golden"
// (absent means the file must not change). Sections spell special bytes as
// golden.Unescape reads them ("<CR>", "<TAB>", "<BOM>", a last "<NOEOL>").
//
// A case runs as a command runs its files: every rule's Prepare, then the
// engine. Run checks the findings on the input, the fixed output, and the
// invariants every rule must keep: the output parses, fixing it again
// changes nothing, and line endings stay as they were; a Suite may also
// ask that checking the output finds nothing the fixes introduced. A
// Suite's Setup may add sections of its own
// (the pin rule's registry, lock file and request counts). Run with -update
// to rewrite the golden sections.
package transformtest

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/golden"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// Testing is what a case needs of its test; *testing.T has it. The
// harness's own tests give another, to see what it reports (as
// analysistest.Testing does). After Fatalf the harness returns.
type Testing interface {
	Helper()
	Errorf(format string, args ...any)
	Fatalf(format string, args ...any)
	// Cleanup registers a function to call when the test is over (a
	// Setup's registry, say).
	Cleanup(func())
}

// Run runs every *.txtar case in dir with the transformers ts.
func Run(t *testing.T, dir string, ts ...*transform.Transformer) {
	t.Helper()
	Suite{Rules: ts}.Run(t, dir)
}

// Suite is a set of cases run alike.
type Suite struct {
	// Rules are the transformers of every case, unless Setup sets others.
	Rules []*transform.Transformer
	// Setup, if set, prepares each case before its rules run: it may read
	// the case's own sections and option words (Case.Words), rewrite
	// Case.Input, set Case.Options.Transformers, and add sections with
	// Case.Golden. A Fatalf in Setup stops the case.
	Setup func(t Testing, c *Case)
	// Parallel runs the cases in parallel.
	Parallel bool
	// CheckAfterFix also checks that checking each fixed output finds
	// nothing the fixes introduced (see CheckAfterFix).
	CheckAfterFix bool
}

// Run runs every *.txtar case in dir, each as a subtest.
func (s Suite) Run(t *testing.T, dir string) {
	t.Helper()
	if s.Setup == nil {
		if err := transform.Validate(s.Rules); err != nil {
			t.Fatal(err)
		}
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .txtar cases in %s", dir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			if s.Parallel {
				t.Parallel()
			}
			s.RunFile(t, file)
		})
	}
}

// Case is one case while it runs.
type Case struct {
	// File is the case's archive.
	File string
	// Archive is the parsed archive.
	Archive *txtar.Archive
	// Input is the Dockerfile section, unescaped.
	Input []byte
	// Options run the engine: Transformers are the Suite's rules, and
	// UnsafeFixes and NoFix come from the options section.
	Options engine.Options
	// Words are the words of the options section other than "unsafe" and
	// "nofix", for Setup to read.
	Words []string
	// Blank, if set, rewrites what the rules produced (findings, output)
	// before it is compared with a section or written into one: the pin
	// rule writes digests as placeholders.
	Blank func([]byte) []byte
	// MarkFailed ends the findings about work a rule could not do with
	// " [failed]" in the findings section.
	MarkFailed bool

	extra []section
}

type section struct {
	name string
	got  func(res *engine.Result) ([]byte, bool)
}

// Section returns the data of the section called name.
func (c *Case) Section(name string) ([]byte, bool) {
	for _, f := range c.Archive.Files {
		if f.Name == name {
			return f.Data, true
		}
	}
	return nil, false
}

// Golden adds a section compared after the run: got returns what the
// section must hold and whether it must be there at all. -update rewrites
// it, or removes it.
func (c *Case) Golden(name string, got func(res *engine.Result) (data []byte, present bool)) {
	c.extra = append(c.extra, section{name, got})
}

// RunFile runs the case in file.
func (s Suite) RunFile(t Testing, file string) {
	t.Helper()
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatalf("%v", err)
		return
	}
	c := &Case{File: file, Archive: ar, Options: engine.Options{Transformers: s.Rules}}
	in, ok := c.Section("Dockerfile")
	if !ok {
		t.Fatalf("%s: no Dockerfile section", file)
		return
	}
	c.Input = golden.Unescape(in)
	if o, ok := c.Section("options"); ok {
		for _, w := range strings.Fields(string(o)) {
			switch w {
			case "unsafe":
				c.Options.UnsafeFixes = true
			case "nofix":
				c.Options.NoFix = true
			default:
				c.Words = append(c.Words, w)
			}
		}
	}
	if s.Setup != nil {
		fatal := &fatalRecorder{Testing: t}
		s.Setup(fatal, c)
		if fatal.failed {
			return
		}
		if err := transform.Validate(c.Options.Transformers); err != nil {
			t.Fatalf("%v", err)
			return
		}
	} else if len(c.Words) > 0 {
		t.Fatalf("unknown option %q", c.Words[0])
		return
	}
	res, err := RunRules(context.Background(), "Dockerfile", c.Input, c.Options)
	if err != nil {
		t.Fatalf("engine: %v", err)
		return
	}
	blank := c.Blank
	if blank == nil {
		blank = func(b []byte) []byte { return b }
	}
	findings := FormatFindings(res.Findings)
	if c.MarkFailed {
		findings = markFailed(findings, res.Findings)
	}
	changed := false
	compare := func(name string, got []byte, present bool, equal func(want []byte) bool) {
		want, ok := c.Section(name)
		switch {
		case golden.Update() && present:
			changed = changed || !ok || !bytes.Equal(want, got)
			setSection(ar, name, got)
		case golden.Update():
			changed = changed || ok
			removeSection(ar, name)
		case ok != present && present:
			t.Errorf("%s: no %s section; want\n%s", file, name, got)
		case ok != present:
			t.Errorf("%s: the %s section is there, but nothing changed:\n%s", file, name, want)
		case present && !equal(want):
			t.Errorf("%s differs\n--- got ---\n%s--- want ---\n%s", name, got, want)
		}
	}
	text := func(got []byte) func([]byte) bool {
		return func(want []byte) bool { return bytes.Equal(want, got) }
	}
	gotFindings := blank([]byte(findings))
	_, hasFindings := c.Section("findings")
	compare("findings", gotFindings, hasFindings || golden.Update(), text(gotFindings))
	output := blank(res.Output)
	compare("Dockerfile.golden", golden.Escape(output), res.Changed(), func(want []byte) bool {
		return bytes.Equal(golden.Unescape(want), output)
	})
	for _, x := range c.extra {
		got, present := x.got(res)
		compare(x.name, got, present, text(got))
	}
	if changed {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatalf("%v", err)
			return
		}
	}
	if c.Options.NoFix {
		return
	}
	CheckInvariants(t, c.Input, res.Output, c.Options)
	if s.CheckAfterFix {
		CheckAfterFix(t, res, c.Options)
	}
}

// fatalRecorder notes a Fatalf of Setup, so that the case stops even
// when the Testing's Fatalf returns.
type fatalRecorder struct {
	Testing
	failed bool
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.failed = true
	f.Testing.Fatalf(format, args...)
}

// RunRules runs the rules over one file as a command does: each rule's
// Prepare with the parsed file, then the engine.
func RunRules(ctx context.Context, path string, data []byte, opts engine.Options) (*engine.Result, error) {
	f, err := source.Parse(path, data)
	if err != nil {
		return nil, err
	}
	for _, t := range opts.Transformers {
		if t.Prepare != nil {
			if err := t.Prepare(ctx, []*source.File{f}); err != nil {
				return nil, fmt.Errorf("rule %s: %w", t.Name, err)
			}
		}
	}
	return engine.RunFile(ctx, f, opts)
}

// CheckInvariants checks what must hold for any fix: the output parses,
// a second run changes nothing, and no new kind of line ending appears.
func CheckInvariants(t Testing, input, output []byte, opts engine.Options) {
	t.Helper()
	again, err := engine.Run(context.Background(), "Dockerfile", output, opts)
	if err != nil {
		t.Fatalf("second run on the output: %v", err)
		return
	}
	if again.Changed() {
		t.Errorf("not idempotent: a second run changes the output\n--- second output ---\n%s", again.Output)
	}
	if err := LineEndingsKept(input, output); err != nil {
		t.Errorf("%v", err)
	}
}

// CheckAfterFix checks that checking the fixed file with the same rules
// finds nothing the fixes introduced: each of its findings was on the
// input already, with the same message (so that "fix && check" can pass
// in CI).
func CheckAfterFix(t Testing, res *engine.Result, opts engine.Options) {
	t.Helper()
	opts.NoFix = true
	after, err := engine.Run(context.Background(), res.Path, res.Output, opts)
	if err != nil {
		t.Fatalf("check after fix: %v", err)
		return
	}
	before := map[string]int{}
	for _, f := range res.Findings {
		before[f.Message]++
	}
	for _, f := range after.Findings {
		if before[f.Message] == 0 {
			t.Errorf("%s: check after fix reports what the fix introduced: %d:%d %s", res.Path, f.Line, f.Col, f.Message)
			continue
		}
		before[f.Message]--
	}
}

// LineEndingsKept reports an error when output uses a line ending input
// never used.
func LineEndingsKept(input, output []byte) error {
	crlfIn, lfIn := countEOL(input)
	crlfOut, lfOut := countEOL(output)
	if crlfIn == 0 && crlfOut > 0 {
		return fmt.Errorf("output has %d CRLF line endings, input had none", crlfOut)
	}
	if lfIn == 0 && crlfIn > 0 && lfOut > 0 {
		return fmt.Errorf("output has %d bare LF line endings, input was all CRLF", lfOut)
	}
	return nil
}

func countEOL(b []byte) (crlf, lf int) {
	crlf = bytes.Count(b, []byte("\r\n"))
	return crlf, bytes.Count(b, []byte("\n")) - crlf
}

// FormatFindings renders findings one per line as
// "line:col rule[ CODE]: message[ [safe fix]|[unsafe fix]]".
func FormatFindings(fs []engine.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d %s", f.Line, f.Col, f.Rule)
		if f.Code != "" {
			fmt.Fprintf(&b, " %s", f.Code)
		}
		fmt.Fprintf(&b, ": %s", f.Message)
		if f.Fix != nil {
			fmt.Fprintf(&b, " [%s fix]", f.Fix.Applicability)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// markFailed adds " [failed]" to the lines of text, as FormatFindings
// wrote fs, whose findings are about work the rule could not do.
func markFailed(text string, fs []engine.Finding) string {
	lines := strings.SplitAfter(text, "\n")
	for i, f := range fs {
		if f.Failed {
			lines[i] = strings.TrimSuffix(lines[i], "\n") + " [failed]\n"
		}
	}
	return strings.Join(lines, "")
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

func removeSection(ar *txtar.Archive, name string) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files = append(ar.Files[:i], ar.Files[i+1:]...)
			return
		}
	}
}

// CorpusFiles returns the real Dockerfiles (*.Dockerfile) in dir, sorted;
// a tenth of them under -short. The corpus is third-party data kept
// outside the repository: without it the test is skipped, saying where it
// looked.
func CorpusFiles(t testing.TB, dir string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Skipf("no corpus at %s", dir)
	}
	sort.Strings(files)
	if testing.Short() {
		files = files[:len(files)/10]
	}
	return files
}
