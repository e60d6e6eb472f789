package pip

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/source"
)

// declaredByWalk is the definition of declared: follow the FROM lines from
// in's stage, at most once per stage.
func declaredByWalk(in *source.Instruction, first map[*source.Stage]*source.Instruction) bool {
	st := in.Stage
	for range in.File.Stages {
		if st == nil {
			return false
		}
		if x := first[st]; x != nil && (st != in.Stage || in.Parent != nil || x.Start < in.Start) {
			return true
		}
		st = in.File.StageByName(st.Base.Text)
	}
	return false
}

// TestDeclaredMatchesWalk compares declared, which caches the answer of
// each stage, with declaredByWalk on random chains of stages, loops and
// forward references included.
func TestDeclaredMatchesWalk(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for iter := range 2000 {
		n := 1 + r.IntN(6)
		var b strings.Builder
		for i := range n {
			base := "debian"
			if r.IntN(4) > 0 {
				base = fmt.Sprintf("s%d", r.IntN(n))
			}
			fmt.Fprintf(&b, "FROM %s AS s%d\n", base, i)
			for range r.IntN(3) {
				if r.IntN(3) == 0 {
					b.WriteString("ENV PIP_NO_CACHE_DIR=1\n")
				}
				b.WriteString("RUN pip install x\n")
				if r.IntN(5) == 0 {
					b.WriteString("ONBUILD RUN pip install y\n")
				}
			}
		}
		f, err := source.Parse("Dockerfile", []byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		first := declarations(f, noCacheEnv)
		above := map[*source.Stage]bool{}
		f.Walk(func(in *source.Instruction) {
			if got, want := declared(in, first, above), declaredByWalk(in, first); got != want {
				t.Fatalf("iteration %d, line %d: declared = %v, want %v\n%s", iter, in.StartLine, got, want, b.String())
			}
		})
	}
}
