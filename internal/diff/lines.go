package diff

import (
	"slices"
	"sort"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxMyers bounds the changed region (old and new lines together, after
// the common prefix and suffix) that is compared with go-diff's Myers
// algorithm, which takes time proportional to the region's size times the
// number of changed lines: quadratic when most lines change. The diffs of
// the shared corpus are all below it (its largest file has 649 lines), so
// they are the minimal ones GNU diff prints. Larger regions are split
// first (see splitLarge), which keeps the time linear in the number of
// lines.
const maxMyers = 2000

// splitText cuts text into lines that keep their "\n"; the last line may
// lack it. It is go-diff's line splitting.
func splitText(text string) []string {
	var ls []string
	for len(text) > 0 {
		i := 0
		for i < len(text) && text[i] != '\n' {
			i++
		}
		if i < len(text) {
			i++
		}
		ls = append(ls, text[:i])
		text = text[i:]
	}
	return ls
}

// matchLines compares the lines of old and new and reports, for each
// line, whether the edit script removes it (old) or adds it (new). The
// unchanged lines pair up in order: the k-th unchanged line of old equals
// the k-th unchanged line of new.
func matchLines(old, new []string) (changedOld, changedNew []bool) {
	m := newMatcher(old, new)
	return m.ca, m.cb
}

// newMatcher compares old and new; see matchLines.
func newMatcher(old, new []string) *matcher {
	ids := make(map[string]int32, len(old))
	a, b := make([]int32, len(old)), make([]int32, len(new))
	for i, l := range old {
		a[i] = lineID(ids, l)
	}
	for i, l := range new {
		b[i] = lineID(ids, l)
	}
	m := &matcher{a: a, b: b, ca: make([]bool, len(a)), cb: make([]bool, len(b))}
	pre, suf := commonEnds(a, b)
	n, k := len(a)-pre-suf, len(b)-pre-suf
	switch {
	case n+k <= maxMyers && len(ids) < maxRunes:
		// The whole texts, not only the changed region: go-diff's
		// clean-up of its result looks at the equal lines around the
		// changes too. It trims the common ends first, in linear time.
		m.work += len(a) + len(b) + (n+k)*(n+k)
		m.myers(0, len(a), 0, len(b))
	default:
		m.splitLarge(pre, len(a)-suf, pre, len(b)-suf)
	}
	return m
}

func lineID(ids map[string]int32, l string) int32 {
	id, ok := ids[l]
	if !ok {
		id = int32(len(ids))
		ids[l] = id
	}
	return id
}

// commonEnds returns the lengths of the common prefix and of the common
// suffix of a and b, which do not overlap.
func commonEnds(a, b []int32) (pre, suf int) {
	for pre < len(a) && pre < len(b) && a[pre] == b[pre] {
		pre++
	}
	for suf < len(a)-pre && suf < len(b)-pre && a[len(a)-1-suf] == b[len(b)-1-suf] {
		suf++
	}
	return pre, suf
}

// matcher marks the changed lines of a (ca) and b (cb), range by range.
type matcher struct {
	a, b   []int32
	ca, cb []bool
	// work bounds the steps taken: for each range given to myers the
	// square of its size, plus one per line for each pass over lines.
	// Tests check that it grows linearly with the input.
	work int
}

// maxRunes is the number of line ids toRune can encode.
const maxRunes = utf8.MaxRune + 1 - (0xE000 - 0xD800)

// toRune encodes a line id as a valid rune, skipping the surrogates (a
// string conversion would turn them into U+FFFD).
func toRune(id int32) rune {
	if id >= 0xD800 {
		id += 0xE000 - 0xD800
	}
	return rune(id)
}

// myers compares a[a0:a1] with b[b0:b1] with go-diff, which finds a
// minimal edit script.
func (m *matcher) myers(a0, a1, b0, b1 int) {
	// Number the lines of this range from 0, so that any range fits the
	// runes.
	local := map[int32]int32{}
	enc := func(ids []int32) []rune {
		rs := make([]rune, len(ids))
		for i, id := range ids {
			l, ok := local[id]
			if !ok {
				l = int32(len(local))
				local[id] = l
			}
			rs[i] = toRune(l)
		}
		return rs
	}
	ra, rb := enc(m.a[a0:a1]), enc(m.b[b0:b1])
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0 // no deadline: always the minimal diff, deterministic
	i, j := a0, b0
	for _, d := range dmp.DiffMainRunes(ra, rb, false) {
		n := utf8.RuneCountInString(d.Text)
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			i += n
			j += n
		case diffmatchpatch.DiffDelete:
			for ; n > 0; n-- {
				m.ca[i] = true
				i++
			}
		case diffmatchpatch.DiffInsert:
			for ; n > 0; n-- {
				m.cb[j] = true
				j++
			}
		}
	}
}

// splitLarge compares a[a0:a1] with b[b0:b1], a region too large for
// myers, without a common prefix or suffix. As in patience diff, the
// lines that occur exactly once in each side and in the same order on
// both sides are matched first; the gaps between them are compared with
// myers when small enough and window by window otherwise. The result is a
// valid edit script, not always a minimal one; the time is O(n log n).
func (m *matcher) splitLarge(a0, a1, b0, b1 int) {
	m.work += (a1 - a0) + (b1 - b0)
	type count struct {
		na, nb int32
		ia, ib int
	}
	counts := map[int32]*count{}
	for i := a0; i < a1; i++ {
		c := counts[m.a[i]]
		if c == nil {
			c = &count{}
			counts[m.a[i]] = c
		}
		c.na++
		c.ia = i
	}
	for j := b0; j < b1; j++ {
		if c := counts[m.b[j]]; c != nil {
			c.nb++
			c.ib = j
		}
	}
	// The unique pairs in the order of a, then the longest run of them
	// that is increasing in b too.
	var pairs [][2]int
	for i := a0; i < a1; i++ {
		if c := counts[m.a[i]]; c.na == 1 && c.nb == 1 {
			pairs = append(pairs, [2]int{i, c.ib})
		}
	}
	anchors := increasing(pairs)
	i, j := a0, b0
	for _, p := range anchors {
		m.gap(i, p[0], j, p[1])
		i, j = p[0]+1, p[1]+1
	}
	m.gap(i, a1, j, b1)
}

// gap compares a[a0:a1] with b[b0:b1], a range between matched lines.
func (m *matcher) gap(a0, a1, b0, b1 int) {
	pre, suf := commonEnds(m.a[a0:a1], m.b[b0:b1])
	a0, a1, b0, b1 = a0+pre, a1-suf, b0+pre, b1-suf
	switch {
	case a0 == a1 && b0 == b1:
	case a0 == a1 || b0 == b1:
		m.mark(a0, a1, b0, b1)
	case (a1-a0)+(b1-b0) > maxMyers:
		m.windowed(a0, a1, b0, b1)
	default:
		n := (a1 - a0) + (b1 - b0)
		m.work += n * n
		m.myers(a0, a1, b0, b1)
	}
}

// window is the number of lines of each side that windowed compares at
// once.
const window = maxMyers / 4

// windowed compares a[a0:a1] with b[b0:b1], a range too large for myers,
// window by window: it compares the next window lines of each side with
// myers and keeps the result up to the last pair of equal lines in the
// first half of both windows, then goes on from there. Each step moves on
// by at least a quarter of a window, so the time is linear; the script is
// minimal within each window, not always across windows.
func (m *matcher) windowed(a0, a1, b0, b1 int) {
	for a1-a0 > window || b1-b0 > window {
		ea, eb := min(a0+window, a1), min(b0+window, b1)
		m.work += (ea - a0) + (eb - b0)
		if !shareLine(m.a[a0:ea], m.b[b0:eb]) {
			// Nothing to match: the myers step would find nothing.
			m.mark(a0, ea, b0, eb)
			a0, b0 = ea, eb
			continue
		}
		n := (ea - a0) + (eb - b0)
		m.work += n * n
		m.myers(a0, ea, b0, eb)
		// The last pair of unchanged lines in both first halves.
		ka, kb := a0-1, b0-1
		i, j := a0, b0
		for {
			for i < ea && m.ca[i] {
				i++
			}
			for j < eb && m.cb[j] {
				j++
			}
			if i >= min(a0+window/2, ea) || j >= min(b0+window/2, eb) {
				break
			}
			ka, kb = i, j
			i++
			j++
		}
		// Keep up to that pair; forget the rest of the window.
		clear(m.ca[ka+1 : ea])
		clear(m.cb[kb+1 : eb])
		startA, startB := a0, b0
		a0, b0 = ka+1, kb+1
		// Move on by a quarter of a window at least, taking the lines
		// passed over as changed.
		if step := window / 4; a0-startA < step && b0-startB < step {
			na, nb := min(startA+step, a1), min(startB+step, b1)
			m.mark(a0, na, b0, nb)
			a0, b0 = na, nb
		}
	}
	n := (a1 - a0) + (b1 - b0)
	m.work += n * n
	m.myers(a0, a1, b0, b1)
}

// mark marks a[a0:a1] and b[b0:b1] as changed.
func (m *matcher) mark(a0, a1, b0, b1 int) {
	for i := a0; i < a1; i++ {
		m.ca[i] = true
	}
	for j := b0; j < b1; j++ {
		m.cb[j] = true
	}
}

// shareLine reports whether a and b have a line in common.
func shareLine(a, b []int32) bool {
	in := make(map[int32]bool, len(a))
	for _, id := range a {
		in[id] = true
	}
	for _, id := range b {
		if in[id] {
			return true
		}
	}
	return false
}

// increasing returns the longest subsequence of pairs, which are in
// increasing order of their first element, that is increasing in the
// second element too (patience sorting, O(n log n)).
func increasing(pairs [][2]int) [][2]int {
	var tails []int // tails[k]: index in pairs of the smallest end of a run of length k+1
	prev := make([]int, len(pairs))
	for k, p := range pairs {
		n := sort.Search(len(tails), func(t int) bool { return pairs[tails[t]][1] >= p[1] })
		prev[k] = -1
		if n > 0 {
			prev[k] = tails[n-1]
		}
		if n == len(tails) {
			tails = append(tails, k)
		} else {
			tails[n] = k
		}
	}
	var out [][2]int
	if len(tails) > 0 {
		for k := tails[len(tails)-1]; k >= 0; k = prev[k] {
			out = append(out, pairs[k])
		}
	}
	slices.Reverse(out)
	return out
}
