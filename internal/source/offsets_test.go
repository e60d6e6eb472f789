package source

import "testing"

func TestOffsets(t *testing.T) {
	// Logical text from three places of a file: 6 bytes from offset 10,
	// 3 from 30 (added in two pieces, which merge), 1 from 40.
	var o offsets
	o.add(10, 6)
	o.add(30, 2)
	o.add(32, 1) // contiguous with the run before: merged
	o.add(40, 1)
	o.add(50, 0) // nothing
	if o.len() != 10 || len(o.runs) != 3 {
		t.Fatalf("len %d, runs %v", o.len(), o.runs)
	}
	want := []int{10, 11, 12, 13, 14, 15, 30, 31, 32, 40}
	for i, w := range want {
		if got := o.at(i); got != w {
			t.Errorf("at(%d) = %d, want %d", i, got, w)
		}
	}
	s := o.slice(4, 9)
	for i, w := range want[4:9] {
		if got := s.at(i); got != w {
			t.Errorf("slice(4, 9).at(%d) = %d, want %d", i, got, w)
		}
	}
	if s.len() != 5 {
		t.Errorf("slice len %d", s.len())
	}
	if e := o.slice(3, 3); e.len() != 0 {
		t.Errorf("empty slice has %d bytes", e.len())
	}
}

// TestOffsetsAt checks at against a byte-by-byte map for 1 to 20 runs.
func TestOffsetsAt(t *testing.T) {
	for n := 1; n <= 20; n++ {
		var o offsets
		var want []int
		for k := range n {
			file, size := 100*k+k%3, 1+k%4
			o.add(file, size)
			for b := range size {
				want = append(want, file+b)
			}
		}
		if len(o.runs) != n {
			t.Fatalf("%d runs: got %d", n, len(o.runs))
		}
		for i, w := range want {
			if got := o.at(i); got != w {
				t.Errorf("%d runs: at(%d) = %d, want %d", n, i, got, w)
			}
		}
	}
}
