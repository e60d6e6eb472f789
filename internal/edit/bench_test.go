package edit

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// lineFixes returns n one-edit fixes shaped like the engine's: an
// insertion at the end of each of n lines of 40 bytes, in file order, as
// the engine merges fixes sorted by position.
func lineFixes(n int) [][]Edit {
	fixes := make([][]Edit, n)
	for i := range fixes {
		at := i*40 + 39
		fixes[i] = []Edit{{Start: at, End: at, New: " && x"}}
	}
	return fixes
}

// BenchmarkMerge merges n fixes into one set, one Merge call per fix, as
// engine.Run does in a pass over a file with a finding on every line:
// "ordered" in file order (the engine's), "shuffled" in random order, and
// "pairs" with two edits per fix, the second at the end of the file region
// (a deletion and an insertion far apart, like the apt merge fix).
func BenchmarkMerge(b *testing.B) {
	for _, n := range []int{100, 2000, 20000} {
		ordered := lineFixes(n)
		shuffled := lineFixes(n)
		rand.New(rand.NewPCG(1, 2)).Shuffle(n, func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		pairs := make([][]Edit, n)
		for i := range pairs {
			pairs[i] = []Edit{{Start: i * 40, End: i*40 + 3, New: "RUN"}, {Start: (n+i)*40 + 39, End: (n+i)*40 + 39, New: " && y"}}
		}
		for _, c := range []struct {
			name  string
			fixes [][]Edit
		}{{"ordered", ordered}, {"shuffled", shuffled}, {"pairs", pairs}} {
			b.Run(fmt.Sprintf("%s/%d", c.name, n), func(b *testing.B) {
				for b.Loop() {
					var set []Edit
					for _, fix := range c.fixes {
						merged, ok := Merge(set, fix)
						if !ok {
							b.Fatalf("fix %v conflicts", fix)
						}
						set = merged
					}
					if len(set) != len(c.fixes)*len(c.fixes[0]) {
						b.Fatalf("%d edits merged", len(set))
					}
				}
			})
		}
	}
}
