package shellcmd_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/apk"
	"github.com/dockmend/dockmend/transform/apt"
	"github.com/dockmend/dockmend/transform/dnf"
	"github.com/dockmend/dockmend/transform/pip"
	"github.com/dockmend/dockmend/transform/zypper"
)

// packageRules are the package-manager rules built on this package, in
// the order recommended for the registry.
func packageRules() []*transform.Transformer {
	return []*transform.Transformer{apt.Transformer, apk.Transformer, dnf.Transformer, zypper.Transformer, pip.Transformer}
}

// TestCorpus runs the package-manager rules together over the shared
// corpus of real Dockerfiles (skipped when absent), safe fixes only and
// then unsafe ones too. Every run must succeed, keep the
// file parseable (the engine checks), keep its line endings, and change
// nothing when run again on its output. It logs, per rule, the files
// changed, the findings, and why findings had no fix.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus sweep skipped in -short mode")
	}
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "files")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	inputs := make(map[string][]byte, len(files))
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = data
	}
	all := packageRules()
	type config struct {
		name   string
		rules  []*transform.Transformer
		unsafe bool
	}
	configs := []config{{"safe", all, false}, {"unsafe", all, true}}
	for _, c := range configs {
		t.Run(c.name, func(t *testing.T) {
			sweep(t, files, inputs, engine.Options{Transformers: c.rules, UnsafeFixes: c.unsafe})
		})
	}
}

func sweep(t *testing.T, files []string, inputs map[string][]byte, opts engine.Options) {
	ctx := context.Background()
	var parsed, changed, fixes int
	findings := map[string]int{}  // rule: findings on inputs
	noFix := map[string]int{}     // "rule CODE: reason": findings without a fix
	changedBy := map[string]int{} // rule: files where it had a fix to apply
	for _, p := range files {
		data := inputs[p]
		res, err := engine.Run(ctx, p, data, opts)
		var se *source.Error
		if errors.As(err, &se) && se.Path == p {
			continue // the input does not parse: not the rules' business
		}
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		parsed++
		rulesHere := map[string]bool{}
		for _, f := range res.Findings {
			findings[f.Rule]++
			if f.Fix == nil {
				_, why, ok := strings.Cut(f.Message, "; not fixed: ")
				if !ok {
					why = "no fix offered"
				}
				noFix[fmt.Sprintf("%s %s: %s", f.Rule, f.Code, digits(why))]++
			} else if f.Fixable(opts.UnsafeFixes) {
				rulesHere[f.Rule] = true
			}
		}
		if !res.Changed() {
			continue
		}
		changed++
		fixes += res.Fixed
		for r := range rulesHere {
			changedBy[r]++
		}
		if err := transformtest.LineEndingsKept(data, res.Output); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		again, err := engine.Run(ctx, p, res.Output, opts)
		if err != nil {
			t.Errorf("%s: second run: %v", p, err)
			continue
		}
		if again.Changed() {
			t.Errorf("%s: not idempotent: a second run changes the output", p)
		}
	}
	t.Logf("files=%d parsed=%d changed=%d fixes applied=%d", len(files), parsed, changed, fixes)
	for _, r := range sortedKeys(findings) {
		t.Logf("  rule %s: %d findings, %d files changed", r, findings[r], changedBy[r])
	}
	for _, k := range sortedKeys(noFix) {
		t.Logf("  no fix: %5d  %s", noFix[k], k)
	}
}

// digits replaces line numbers in a reason so that reasons tally.
func digits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] >= '0' && s[i] <= '9' {
			if i == 0 || s[i-1] < '0' || s[i-1] > '9' {
				b.WriteByte('N')
			}
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func sortedKeys(m map[string]int) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
