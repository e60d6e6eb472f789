package multistage

import (
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

var corpusDir = flag.String("corpus", "../../../shared/corpus/files", "directory of real Dockerfiles for TestCorpus (third-party data, never copied here)")

// TestCorpus runs the rule with its unsafe fix over the shared corpus of
// real Dockerfiles: no file may make it fail or panic, and every rewrite
// must parse, keep buildkit's instruction checks passing, and be stable
// (the engine checks both, and a second run must change nothing). With -v
// it prints how many files got a fix and why the others got none.
func TestCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join(*corpusDir, "*.Dockerfile"))
	if len(files) == 0 {
		t.Skipf("no corpus at %s", *corpusDir)
	}
	sort.Strings(files)
	if testing.Short() {
		files = files[:len(files)/10]
	}
	rule := []*transform.Transformer{New(Options{})}
	opts := engine.Options{Transformers: rule, UnsafeFixes: true}
	ctx := context.Background()
	var fixed, reported int
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
		again, err := engine.Run(ctx, file, res.Output, opts)
		if err != nil {
			t.Errorf("%s: second run: %v", file, err)
		} else if again.Changed() || len(again.Findings) > 0 {
			t.Errorf("%s: not stable: a second run finds %d findings", file, len(again.Findings))
		}
	}
	t.Logf("%d files: %d fixed, %d reported without a fix", len(files), fixed, reported)
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
