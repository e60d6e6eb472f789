package diff

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// largeCases are pairs of texts whose changed region is larger than
// maxMyers, made at a given number of lines.
func largeCases(n int) []diffCase {
	r := rand.New(rand.NewPCG(uint64(n), 7))
	var cs []diffCase
	add := func(name string, old, new []string) {
		cs = append(cs, diffCase{name, strings.Join(old, ""), strings.Join(new, "")})
	}
	// Every line changed: what a rule that fixes every RUN line makes.
	var old, new []string
	old = append(old, "FROM debian\n")
	new = append(new, "FROM debian\n")
	for i := range n {
		old = append(old, fmt.Sprintf("RUN apt-get install pkg%d\n", i))
		new = append(new, fmt.Sprintf("RUN apt-get install -y pkg%d\n", i))
	}
	add("every line changed", old, new)
	// The same line over and over, every other one changed the same way:
	// no line occurs once.
	old, new = nil, nil
	for i := range n {
		old = append(old, "RUN true\n")
		new = append(new, "RUN true\n")
		if i%2 == 0 {
			old = append(old, "RUN apt-get install x\n")
			new = append(new, "RUN apt-get install -y x\n")
		}
	}
	add("repeated lines", old, new)
	// Lines from a small alphabet, randomly replaced, removed and added.
	old, new = nil, nil
	for range n {
		l := fmt.Sprintf("line %d\n", r.IntN(20))
		old = append(old, l)
		switch r.IntN(10) {
		case 0:
		case 1:
			new = append(new, l, fmt.Sprintf("added %d\n", r.IntN(20)))
		case 2:
			new = append(new, fmt.Sprintf("changed %d\n", r.IntN(20)))
		default:
			new = append(new, l)
		}
	}
	add("random edits, few distinct lines", old, new)
	// A block moved from the end to the start, and unique lines.
	old, new = nil, nil
	for i := range n {
		old = append(old, fmt.Sprintf("unique %d\n", i))
	}
	new = append(new, old[n-n/4:]...)
	new = append(new, old[:n-n/4]...)
	add("block moved", old, new)
	// No final newline, and CRLF.
	cs = append(cs, diffCase{"no final newline", strings.Repeat("a\r\n", n) + "end", strings.Repeat("b\r\n", n) + "end\n"})
	return cs
}

// TestUnifiedLarge checks that the diffs of large changes, which are not
// computed by go-diff alone, apply and give the new text.
func TestUnifiedLarge(t *testing.T) {
	for _, c := range largeCases(5000) {
		t.Run(c.name, func(t *testing.T) {
			for _, context := range []int{0, 3} {
				d := Unified("a/x", "b/x", []byte(c.old), []byte(c.new), context)
				got, err := applyUnified([]byte(c.old), d)
				if err != nil {
					t.Fatalf("U%d: %v", context, err)
				}
				if string(got) != c.new {
					t.Fatalf("U%d: applied diff does not give the new text", context)
				}
			}
		})
	}
}

// TestMatchLinesLinear counts the steps matchLines takes (see
// matcher.work) on large inputs at two sizes: four times the lines may
// take at most about four times the steps, where comparing all at once
// would take sixteen.
func TestMatchLinesLinear(t *testing.T) {
	small, large := largeCases(10_000), largeCases(40_000)
	for i := range small {
		t.Run(small[i].name, func(t *testing.T) {
			work := func(c diffCase) (int, int) {
				o, n := splitText(c.old), splitText(c.new)
				return newMatcher(o, n).work, len(o) + len(n)
			}
			w1, n1 := work(small[i])
			w2, n2 := work(large[i])
			if w1 > 2*maxMyers*n1 || w2 > 2*maxMyers*n2 {
				t.Errorf("work %d for %d lines, %d for %d lines: more than %d per line", w1, n1, w2, n2, 2*maxMyers)
			}
			if ratio := float64(w2) / float64(w1); ratio > 1.5*float64(n2)/float64(n1) {
				t.Errorf("work grows %.1f times for %.1f times the lines (%d for %d lines, %d for %d)", ratio, float64(n2)/float64(n1), w1, n1, w2, n2)
			}
		})
	}
}
