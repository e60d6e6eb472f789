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

// Merge adds the edits of one fix to a sorted, non-overlapping set: nil, or
// a set Merge returned. Edits identical to one already in the set
// coalesce. If any edit conflicts with the set, Merge returns the set
// unchanged and false: a fix is applied whole or not at all.
//
// Two edits conflict when their ranges overlap, when an insertion falls
// strictly inside a replaced range, or when two different insertions are
// made at the same offset (their order would be arbitrary).
//
// Like append, Merge may reuse the storage of set when it succeeds: use
// the set it returns, not the one passed. It takes O(k log n + k²) time
// for a fix of k edits and a set of n, plus moving the edits that sort
// after the new ones; merging fixes in position order, as the engine
// does, moves none.
func Merge(set, fix []Edit) ([]Edit, bool) {
	// The fix's new edits: not in the set, duplicates dropped.
	var add []Edit
	malformed := false
	for _, e := range fix {
		near := set
		if e.End < e.Start {
			malformed = true // not ordered like the set: check it all
		} else {
			near = neighbours(set, e)
		}
		dup := false
		for _, s := range near {
			if s == e {
				dup = true
				break
			}
			if conflict(s, e) {
				return set, false
			}
		}
		if !dup && !slices.Contains(add, e) {
			add = append(add, e)
		}
	}
	if malformed {
		for i, a := range add {
			for _, b := range add[:i] {
				if conflict(a, b) {
					return set, false
				}
			}
		}
	} else {
		// Sorted, distinct edits conflict somewhere only if two
		// neighbours do.
		Sort(add)
		for i := 1; i < len(add); i++ {
			if conflict(add[i-1], add[i]) {
				return set, false
			}
		}
	}
	out := set
	for _, a := range add {
		// After the edits that sort equal to a: Sort is stable.
		i, _ := slices.BinarySearchFunc(out, a, func(s, a Edit) int {
			if compare(s, a) <= 0 {
				return -1
			}
			return 1
		})
		out = slices.Insert(out, i, a)
	}
	return out, true
}

// neighbours returns the edits of the sorted, conflict-free set that may
// equal or conflict with the well-formed edit e: those that do not end
// before e starts or start after e ends. In such a set each edit ends
// where or before the next starts, so they are consecutive.
func neighbours(set []Edit, e Edit) []Edit {
	lo, _ := slices.BinarySearchFunc(set, e.Start, func(s Edit, start int) int {
		if s.End < start {
			return -1
		}
		return 1
	})
	hi, _ := slices.BinarySearchFunc(set, e.End, func(s Edit, end int) int {
		if s.Start <= end {
			return -1
		}
		return 1
	})
	return set[lo:max(lo, hi)]
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
