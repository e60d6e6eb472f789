package multistage

import (
	"context"
	"errors"
	"flag"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

var corpusDir = flag.String("corpus", "../../../shared/corpus/files", "directory of real Dockerfiles for TestCorpus (third-party data, never copied here)")

// TestCorpus runs the rule with its unsafe fix over the shared corpus of
// real Dockerfiles: no file may make it fail or panic, and every rewrite
// must parse, keep buildkit's instruction checks passing, be stable (the
// engine checks both, and a second run must change nothing), and have a
// final stage of the allowed shape (checkFinalStage: no RUN but the one
// package install, the commands that create users, and ldconfig). It logs
// how many files the rule fired on, how many it fixed, and why the others
// got no fix.
func TestCorpus(t *testing.T) {
	files := transformtest.CorpusFiles(t, *corpusDir)
	rule := []*transform.Transformer{New(Options{})}
	opts := engine.Options{Transformers: rule, UnsafeFixes: true}
	ctx := context.Background()
	var fired, fixed, reported int
	reasons := map[string]int{}
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := source.Parse(file, data); err != nil {
			continue // not a Dockerfile buildkit reads; not this rule's business
		}
		res, err := engine.Run(ctx, file, data, opts)
		if err != nil {
			if errors.Is(err, engine.ErrNotConverged) || !strings.Contains(err.Error(), "parse") {
				t.Errorf("%s: %v", file, err)
			} else {
				t.Errorf("%s: the fix breaks the file: %v", file, err)
			}
			continue
		}
		for _, f := range res.Findings {
			fired++
			if f.Fix != nil {
				fixed++
				continue
			}
			reported++
			if _, why, ok := strings.Cut(f.Message, "; no fix: "); ok {
				for _, r := range strings.Split(why, "; ") {
					reasons[reasonKind(r)]++
				}
			}
		}
		if !res.Changed() {
			continue
		}
		out, err := source.Parse(file, res.Output)
		if err != nil {
			t.Errorf("%s: the output does not parse: %v", file, err)
			continue
		}
		if err := checkFinalStage(out); err != nil {
			t.Errorf("%s: %v\n%s", file, err, res.Output)
		}
		again, err := engine.Run(ctx, file, res.Output, opts)
		if err != nil {
			t.Errorf("%s: second run: %v", file, err)
		} else if again.Changed() || len(again.Findings) > 0 {
			t.Errorf("%s: not stable: a second run finds %d findings", file, len(again.Findings))
		}
	}
	t.Logf("multistage over %d files with --unsafe-fixes: fired on %d, fixed %d, reported %d without a fix, for these reasons:", len(files), fired, fixed, reported)
	var kinds []string
	for k := range reasons {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return reasons[kinds[i]] > reasons[kinds[j]] })
	for _, k := range kinds {
		t.Logf("%5d  %s", reasons[k], k)
	}
}

// reasonKind shortens a reason to its kind: no line number, no names.
func reasonKind(r string) string {
	if _, rest, ok := strings.Cut(r, ": "); ok && strings.HasPrefix(r, "line ") {
		r = rest
	}
	if i := strings.IndexAny(r, "(\"$"); i > 0 {
		r = r[:i]
	}
	return strings.TrimSpace(r)
}
