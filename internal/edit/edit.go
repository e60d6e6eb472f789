// Package edit is dockmend's byte-edit algebra: replacing byte ranges of a
// file, and merging independent sets of edits made against the same input.
//
// It follows golang.org/x/tools/internal/diff: fixes for different findings
// are like git commits with the same parent; identical edits coalesce and
// overlapping ones conflict.
package edit

import (
	"fmt"
	"slices"
	"strings"
)

// Edit replaces the bytes [Start, End) of the input with New. Start == End
// is an insertion.
type Edit struct {
	Start, End int
	New        string
}

func (e Edit) String() string { return fmt.Sprintf("[%d,%d)=%q", e.Start, e.End, e.New) }

// Sort orders edits by position, insertions before replacements that start
// at the same offset; the order of edits that compare equal is kept.
func Sort(edits []Edit) {
	slices.SortStableFunc(edits, compare)
}

func compare(a, b Edit) int {
	if a.Start != b.Start {
		return a.Start - b.Start
	}
	return a.End - b.End
}

// Apply returns src with the edits applied. The edits need not be sorted.
// It fails when an edit is out of bounds or two edits overlap.
func Apply(src []byte, edits []Edit) ([]byte, error) {
	edits = slices.Clone(edits)
	Sort(edits)
	var b strings.Builder
	b.Grow(len(src) + 64)
	last := 0
	for i, e := range edits {
		if e.Start < 0 || e.End < e.Start || e.End > len(src) {
			return nil, fmt.Errorf("edit %v out of bounds (input has %d bytes)", e, len(src))
		}
		if e.Start < last {
			return nil, fmt.Errorf("edit %v overlaps edit %v", e, edits[i-1])
		}
		b.Write(src[last:e.Start])
		b.WriteString(e.New)
		last = e.End
	}
	b.Write(src[last:])
	return []byte(b.String()), nil
}

// Merge adds the edits of one fix to a sorted, non-overlapping set. Edits
// identical to one already in the set coalesce. If any edit conflicts with
// the set, Merge returns the set unchanged and false: a fix is applied
// whole or not at all.
//
// Two edits conflict when their ranges overlap, when an insertion falls
// strictly inside a replaced range, or when two different insertions are
// made at the same offset (their order would be arbitrary).
func Merge(set, fix []Edit) ([]Edit, bool) {
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

func conflict(a, b Edit) bool {
	aIns, bIns := a.Start == a.End, b.Start == b.End
	switch {
	case aIns && bIns:
		return a.Start == b.Start
	case aIns:
		return b.Start < a.Start && a.Start < b.End
	case bIns:
		return a.Start < b.Start && b.Start < a.End
	default:
		return a.Start < b.End && b.Start < a.End
	}
}
