package edit

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// mergeReference is Merge as first written: each edit checked against the
// whole set and the set copied and sorted for every fix. Merge must give
// the same answer for every set that Merge built.
func mergeReference(set, fix []Edit) ([]Edit, bool) {
	var add []Edit
	for _, e := range fix {
		dup := false
		for _, s := range set {
			if s == e {
				dup = true
				break
			}
			if conflict(s, e) {
				return set, false
			}
		}
		if dup {
			continue
		}
		for _, a := range add {
			if a != e && conflict(a, e) {
				return set, false
			}
		}
		if !slices.Contains(add, e) {
			add = append(add, e)
		}
	}
	out := append(slices.Clone(set), add...)
	Sort(out)
	return out, true
}

// decodeFixes turns bytes into fixes of small edits over a short text, so
// that duplicates, shared offsets and overlaps are common: each edit takes
// three bytes (start, length, text), and a byte with the high bit set
// ends a fix.
func decodeFixes(data []byte) [][]Edit {
	var fixes [][]Edit
	var fix []Edit
	for len(data) >= 3 {
		start := int(data[0] % 16)
		length := int(data[1] % 4)
		fix = append(fix, Edit{Start: start, End: start + length, New: string(rune('a' + data[2]%3))})
		if data[2]&0x80 != 0 {
			fixes = append(fixes, fix)
			fix = nil
		}
		data = data[3:]
	}
	if fix != nil {
		fixes = append(fixes, fix)
	}
	return fixes
}

// checkAgainstReference merges fixes one by one with Merge and with
// mergeReference and fails at the first difference.
func checkAgainstReference(t *testing.T, fixes [][]Edit) {
	t.Helper()
	var got, want []Edit
	for i, fix := range fixes {
		fixCopy := slices.Clone(fix)
		before := slices.Clone(got)
		g, gok := Merge(got, fix)
		w, wok := mergeReference(want, fix)
		if gok != wok || !slices.Equal(g, w) {
			t.Fatalf("fix %d %v into %v: Merge = %v, %v; reference = %v, %v", i, fix, want, g, gok, w, wok)
		}
		if !slices.Equal(fix, fixCopy) {
			t.Fatalf("Merge changed its fix: %v, was %v", fix, fixCopy)
		}
		if !gok && !slices.Equal(got, before) {
			t.Fatalf("a failed Merge changed the set: %v, was %v", got, before)
		}
		got, want = g, w
	}
}

func TestMergeMatchesReference(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 11))
	for range 5000 {
		data := make([]byte, 3*(1+r.IntN(24)))
		for i := range data {
			data[i] = byte(r.UintN(256))
		}
		checkAgainstReference(t, decodeFixes(data))
	}
}

func TestMergeMalformedEdit(t *testing.T) {
	// An edit that ends before it starts is checked against the whole
	// set, as by the reference.
	set := []Edit{{0, 10, "a"}, {12, 12, "b"}}
	for _, fix := range [][]Edit{
		{{5, 3, "x"}},
		{{11, 2, "x"}},
		{{30, 20, "x"}, {25, 25, "y"}},
		{{30, 20, "x"}, {30, 20, "z"}},
	} {
		got, ok := Merge(slices.Clone(set), fix)
		want, wantOK := mergeReference(set, fix)
		if ok != wantOK || !slices.Equal(got, want) {
			t.Errorf("fix %v: got %v, %v; want %v, %v", fix, got, ok, want, wantOK)
		}
	}
}

// FuzzMerge checks Merge against mergeReference on fixes decoded from
// arbitrary bytes.
func FuzzMerge(f *testing.F) {
	f.Add([]byte{1, 0, 0x80, 1, 0, 0x81, 0, 3, 0x80, 2, 0, 0x80})
	f.Add([]byte{4, 2, 1, 9, 0, 0x80, 4, 2, 0x81, 9, 0, 0x82})
	f.Fuzz(func(t *testing.T, data []byte) {
		checkAgainstReference(t, decodeFixes(data))
	})
}
