// Package corpus tests the whole pipeline (parse, every default rule, fix)
// over the shared corpus of real Dockerfiles, fuzzes it, and measures it
// against buildkit's parser alone. The corpus is third-party data: it is
// read from ../shared/corpus beside the checkout, never copied here, and
// the tests skip when it is absent.
package corpus

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/diff"
	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform"
)

var corpusDir = flag.String("corpus", filepath.Join("..", "..", "..", "shared", "corpus"),
	"directory of the shared corpus (files/, buildkit-parse.tsv)")

// A corpusFile is one Dockerfile of the corpus with buildkit's verdict.
type corpusFile struct {
	ID   string // "00042"
	Path string
	Data []byte
	// Verdict is buildkit-parse.tsv's: "ok", "parse-error" or
	// "instruction-error"; Message is buildkit's error.
	Verdict, Message string
}

// loadCorpus reads the corpus, or skips the test when it is absent. Under
// -short, when sample is set, only every tenth file is taken.
func loadCorpus(tb testing.TB, sample bool) []corpusFile {
	tb.Helper()
	paths, _ := filepath.Glob(filepath.Join(*corpusDir, "files", "*"))
	if len(paths) == 0 {
		tb.Skipf("corpus not found at %s", *corpusDir)
	}
	verdicts := readVerdicts(tb, filepath.Join(*corpusDir, "buildkit-parse.tsv"))
	var files []corpusFile
	for i, p := range paths {
		if sample && testing.Short() && i%10 != 0 {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			tb.Fatal(err)
		}
		id, _, _ := strings.Cut(filepath.Base(p), ".")
		v := verdicts[id]
		files = append(files, corpusFile{ID: id, Path: p, Data: data, Verdict: v[0], Message: v[1]})
	}
	return files
}

// readVerdicts reads buildkit-parse.tsv: id, verdict, warnings, message.
func readVerdicts(tb testing.TB, path string) map[string][2]string {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("reading buildkit's verdicts: %v", err)
	}
	out := map[string][2]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		f := strings.Split(sc.Text(), "\t")
		if len(f) < 4 || f[0] == "id" {
			continue
		}
		out[f[0]] = [2]string{f[1], f[3]}
	}
	return out
}

// defaultRules returns the rules that run by default, without pin, which
// needs a registry (its engineer has a corpus test of their own).
func defaultRules() []*transform.Transformer {
	var out []*transform.Transformer
	for _, t := range ruleset.All(ruleset.Config{}) {
		if t.Default && t.Name != "pin" {
			out = append(out, t)
		}
	}
	return out
}

// tally counts things by name and prints them sorted.
type tally map[string]int

func (t tally) String() string {
	if len(t) == 0 {
		return "none"
	}
	keys := slices.SortedFunc(maps.Keys(t), func(a, b string) int {
		// Numbers in numeric order, before names.
		x, errX := strconv.Atoi(a)
		y, errY := strconv.Atoi(b)
		switch {
		case errX == nil && errY == nil:
			return x - y
		case errX == nil:
			return -1
		case errY == nil:
			return 1
		}
		return strings.Compare(a, b)
	})
	var parts []string
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, t[k]))
	}
	return strings.Join(parts, " ")
}

// sweep is the outcome of running the pipeline over the corpus in one mode.
type sweep struct {
	name                  string
	runs, changed, errors int
	fixed                 int
	fixable, unfixed      tally // findings on the input with a fix / without, by rule
	remaining             tally // findings left on the output, by rule
	passes                tally // files by number of passes
	conflicts             tally // files by number of fixes deferred in the first pass
	engineErrs            tally // engine errors by kind
	// changedFiles are the inputs and outputs to check with patch.
	changedFiles []changedFile
}

type changedFile struct {
	name    string
	in, out []byte
}

// TestCorpus runs every default rule except pin over every corpus file,
// once with safe fixes and once with unsafe fixes too, and checks: no
// panic; the file parses exactly when buildkit parses it; where the input
// parses, the output parses and passes instructions.Parse wherever the
// input did; fixing the output again changes nothing; no new kind of line
// ending appears; and the unified diffs of all changed files, applied in
// one batch with patch -p1, reproduce the outputs. Counts are printed for
// CI logs.
func TestCorpus(t *testing.T) {
	files := loadCorpus(t, true)
	rules := defaultRules()
	ctx := context.Background()

	var parsed, instErrs int
	parseErrs := tally{}
	var ok []corpusFile
	for _, cf := range files {
		f, err := parseSafely(cf)
		switch {
		case err != nil && cf.Verdict == "ok":
			t.Errorf("%s: buildkit parses it, we fail: %v", cf.ID, err)
		case err == nil && cf.Verdict == "parse-error":
			t.Errorf("%s: buildkit fails (%s), we parse it", cf.ID, cf.Message)
		case err == nil && (f.InstructionsErr() != nil) != (cf.Verdict == "instruction-error"):
			t.Errorf("%s: instructions.Parse says %v, buildkit's verdict is %s %s", cf.ID, f.InstructionsErr(), cf.Verdict, cf.Message)
		}
		if err != nil {
			parseErrs[reason(err)]++
			var se *source.Error
			if !errors.As(err, &se) || se.Path != cf.Path || se.Line == 0 {
				t.Errorf("%s: error %v is not a *source.Error naming the file and line", cf.ID, err)
			}
			continue
		}
		parsed++
		if f.InstructionsErr() != nil {
			instErrs++
		}
		ok = append(ok, cf)
	}

	var sweeps []*sweep
	for _, mode := range []struct {
		name   string
		rules  []*transform.Transformer
		unsafe bool
	}{
		{"safe", rules, false},
		{"unsafe", rules, true},
		{"probe", probeRules(), false},
	} {
		sw := &sweep{name: mode.name, fixable: tally{}, unfixed: tally{}, remaining: tally{},
			passes: tally{}, conflicts: tally{}, engineErrs: tally{}}
		opts := engine.Options{Transformers: mode.rules, UnsafeFixes: mode.unsafe}
		for _, cf := range ok {
			checkFile(ctx, t, cf, opts, sw)
		}
		checkPatches(t, sw)
		sweeps = append(sweeps, sw)
	}
	if probe := sweeps[2]; !testing.Short() && probe.changed < len(ok)/2 {
		t.Errorf("the probe rules changed only %d of %d files", probe.changed, len(ok))
	}

	logf := func(format string, args ...any) {
		t.Logf(format, args...)
		fmt.Printf("corpus: "+format+"\n", args...)
	}
	var names []string
	for _, r := range rules {
		names = append(names, r.Name)
	}
	logf("rules (default, no pin): %s", cmp.Or(strings.Join(names, " "), "none registered"))
	logf("files=%d parsed=%d parse-errors=%d instructions-errors=%d", len(files), parsed, len(files)-parsed, instErrs)
	logf("parse errors by reason: %s", parseErrs)
	for _, sw := range sweeps {
		logf("[%s] runs=%d changed=%d fixes-applied=%d engine-errors=%d (%s)", sw.name, sw.runs, sw.changed, sw.fixed, sw.errors, sw.engineErrs)
		logf("[%s] fixable findings on input by rule: %s", sw.name, sw.fixable)
		logf("[%s] findings without a fix by rule: %s", sw.name, sw.unfixed)
		logf("[%s] findings remaining after fixing by rule: %s", sw.name, sw.remaining)
		logf("[%s] files by passes: %s", sw.name, sw.passes)
		logf("[%s] files by fixes deferred (conflicts) in the first pass: %s", sw.name, sw.conflicts)
	}
}

// parseSafely parses a corpus file, turning a panic into an error.
func parseSafely(cf corpusFile) (f *source.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return source.Parse(cf.Path, cf.Data)
}

// runSafely runs the engine, turning a panic into an error.
func runSafely(ctx context.Context, path string, data []byte, opts engine.Options) (res *engine.Result, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return engine.Run(ctx, path, data, opts)
}

var lineNumbers = regexp.MustCompile(`line \d+`)

// reason turns a parse error into its kind: the message without the path
// and line numbers.
func reason(err error) string {
	var se *source.Error
	msg := err.Error()
	if errors.As(err, &se) {
		msg = se.Err.Error()
	}
	return strings.ReplaceAll(lineNumbers.ReplaceAllString(msg, "line N"), " ", "_")
}

// checkFile runs the pipeline on one file that parses and checks the
// invariants, recording counts in sw.
func checkFile(ctx context.Context, t *testing.T, cf corpusFile, opts engine.Options, sw *sweep) {
	sw.runs++
	res, err := runSafely(ctx, cf.Path, cf.Data, opts)
	if err != nil {
		sw.errors++
		kind := "other"
		switch {
		case strings.HasPrefix(err.Error(), "panic:"):
			kind = "panic"
		case errors.Is(err, engine.ErrNotConverged):
			kind = "not-converged"
		case strings.Contains(err.Error(), "made the file"):
			kind = "broke-the-file"
		case strings.Contains(err.Error(), ": rule "):
			kind = "rule-error"
		}
		sw.engineErrs[kind]++
		t.Errorf("[%s] %s: %v", sw.name, cf.ID, err)
		return
	}
	for _, f := range res.Findings {
		if f.Fixable(opts.UnsafeFixes) {
			sw.fixable[f.Rule]++
		} else if f.Fix == nil {
			sw.unfixed[f.Rule]++
		}
	}
	for _, f := range res.Remaining {
		sw.remaining[f.Rule]++
	}
	sw.passes[fmt.Sprint(res.Passes)]++
	sw.conflicts[fmt.Sprint(firstPassConflicts(res.Findings, opts.UnsafeFixes))]++
	sw.fixed += res.Fixed
	if !res.Changed() {
		return
	}
	sw.changed++
	in, _ := source.Parse(cf.Path, cf.Data)
	out, err := source.Parse(cf.Path, res.Output)
	switch {
	case err != nil:
		t.Errorf("[%s] %s: the output does not parse: %v", sw.name, cf.ID, err)
		return
	case in.InstructionsErr() == nil && out.InstructionsErr() != nil:
		t.Errorf("[%s] %s: the output fails instructions.Parse: %v", sw.name, cf.ID, out.InstructionsErr())
	case shellErrors(out) > shellErrors(in):
		t.Errorf("[%s] %s: %d RUN shell programs fail to parse after fixing, %d before", sw.name, cf.ID, shellErrors(out), shellErrors(in))
	}
	again, err := runSafely(ctx, cf.Path, res.Output, opts)
	switch {
	case err != nil:
		t.Errorf("[%s] %s: second run: %v", sw.name, cf.ID, err)
	case again.Changed():
		t.Errorf("[%s] %s: fixing twice differs from fixing once:\n%s", sw.name, cf.ID,
			diff.Unified("once/Dockerfile", "twice/Dockerfile", res.Output, again.Output, 1))
	}
	if err := transformtest.LineEndingsKept(cf.Data, res.Output); err != nil {
		t.Errorf("[%s] %s: %v", sw.name, cf.ID, err)
	}
	sw.changedFiles = append(sw.changedFiles, changedFile{name: filepath.Base(cf.Path), in: cf.Data, out: res.Output})
}

// shellErrors counts the RUN instructions whose shell program does not
// parse (ErrNotShell refusals aside).
func shellErrors(f *source.File) int {
	n := 0
	f.Walk(func(in *source.Instruction) {
		if _, err := in.Script(); err != nil && in.Is("RUN") && !errors.Is(err, source.ErrNotShell) {
			n++
		}
	})
	return n
}

// firstPassConflicts counts the fixes of the first pass that conflicted
// with fixes merged before them, merging in the engine's order.
func firstPassConflicts(fs []engine.Finding, unsafe bool) int {
	var set []edit.Edit
	n := 0
	for _, f := range fs {
		if !f.Fixable(unsafe) {
			continue
		}
		merged, ok := edit.Merge(set, f.Fix.Edits)
		if !ok {
			n++
			continue
		}
		set = merged
	}
	return n
}

// checkPatches writes the inputs of every changed file to a temporary
// tree, applies one combined unified diff with a single patch -p1 run, and
// compares the result with the outputs.
func checkPatches(t *testing.T, sw *sweep) {
	if len(sw.changedFiles) == 0 {
		return
	}
	if _, err := exec.LookPath("patch"); err != nil {
		t.Logf("[%s] patch not installed: diffs not checked", sw.name)
		return
	}
	dir := t.TempDir()
	var combined bytes.Buffer
	for _, c := range sw.changedFiles {
		if err := os.WriteFile(filepath.Join(dir, c.name), c.in, 0o644); err != nil {
			t.Fatal(err)
		}
		combined.Write(diff.Unified("a/"+c.name, "b/"+c.name, c.in, c.out, diff.DefaultContext))
	}
	cmd := exec.Command("patch", "-p1", "--batch", "--forward", "--no-backup-if-mismatch", "-s")
	cmd.Dir = dir
	cmd.Stdin = &combined
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("[%s] patch -p1 failed on the combined diff of %d files: %v\n%s", sw.name, len(sw.changedFiles), err, out)
	}
	for _, c := range sw.changedFiles {
		got, err := os.ReadFile(filepath.Join(dir, c.name))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, c.out) {
			t.Errorf("[%s] %s: the patched file differs from the output:\n%s", sw.name, c.name,
				diff.Unified("patched/"+c.name, "output/"+c.name, got, c.out, 1))
		}
	}
}
