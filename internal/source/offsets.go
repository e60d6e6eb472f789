package source

// offsets maps an instruction's logical text to file offsets. Logical text
// is made of runs of consecutive source bytes (one per physical line that
// contributes), so the map stores one run per line instead of one offset
// per byte.
type offsets struct {
	runs []run
	n    int // the number of logical bytes mapped
}

// run maps the logical bytes from logical up to the next run's start to
// the file bytes from file on.
type run struct {
	logical, file int
}

// add appends the mapping of n logical bytes to the file bytes from file on.
func (o *offsets) add(file, n int) {
	if n <= 0 {
		return
	}
	if k := len(o.runs); k > 0 {
		last := o.runs[k-1]
		if last.file+(o.n-last.logical) == file {
			o.n += n // continues the last run
			return
		}
	}
	o.runs = append(o.runs, run{logical: o.n, file: file})
	o.n += n
}

// len returns the number of logical bytes mapped.
func (o *offsets) len() int { return o.n }

// at returns the file offset of logical byte i, 0 <= i < len().
func (o *offsets) at(i int) int {
	// The last run that starts at or before i: runs[lo] (runs[0] starts
	// at 0). A loop rather than slices.BinarySearchFunc, whose callback is
	// not inlined: every word of every command is placed this way.
	lo, hi := 0, len(o.runs)
	for hi-lo > 1 {
		mid := int(uint(lo+hi) >> 1)
		if o.runs[mid].logical <= i {
			lo = mid
		} else {
			hi = mid
		}
	}
	r := o.runs[lo]
	return r.file + (i - r.logical)
}

// slice returns the map of logical bytes [i, j), renumbered from 0.
func (o *offsets) slice(i, j int) offsets {
	var s offsets
	for k, r := range o.runs {
		end := o.n
		if k+1 < len(o.runs) {
			end = o.runs[k+1].logical
		}
		lo, hi := max(r.logical, i), min(end, j)
		if lo < hi {
			s.add(r.file+(lo-r.logical), hi-lo)
		}
	}
	return s
}
