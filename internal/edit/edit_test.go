package edit

import (
	"testing"
)

func TestApply(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		edits []Edit
		want  string
		err   bool
	}{
		{"none", "abc", nil, "abc", false},
		{"insert", "abc", []Edit{{1, 1, "X"}}, "aXbc", false},
		{"replace", "abc", []Edit{{0, 2, "Z"}}, "Zc", false},
		{"delete", "abc", []Edit{{1, 3, ""}}, "a", false},
		{"unsorted", "abcdef", []Edit{{4, 5, "E"}, {0, 1, "A"}}, "AbcdEf", false},
		{"insert at end", "abc", []Edit{{3, 3, "!"}}, "abc!", false},
		{"insert before replace at same start", "abc", []Edit{{1, 2, "B"}, {1, 1, "x"}}, "axBc", false},
		{"overlap", "abcdef", []Edit{{0, 3, ""}, {2, 4, ""}}, "", true},
		{"out of bounds", "abc", []Edit{{2, 5, ""}}, "", true},
		{"negative", "abc", []Edit{{-1, 1, ""}}, "", true},
		{"end before start", "abc", []Edit{{2, 1, ""}}, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Apply([]byte(tt.src), tt.edits)
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if err == nil && string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestMerge(t *testing.T) {
	tests := []struct {
		name string
		set  []Edit
		fix  []Edit
		ok   bool
		want []Edit
	}{
		{"into empty", nil, []Edit{{5, 6, "x"}, {1, 1, "y"}}, true, []Edit{{1, 1, "y"}, {5, 6, "x"}}},
		{"disjoint", []Edit{{0, 2, "a"}}, []Edit{{3, 4, "b"}}, true, []Edit{{0, 2, "a"}, {3, 4, "b"}}},
		{"identical coalesce", []Edit{{0, 2, "a"}}, []Edit{{0, 2, "a"}}, true, []Edit{{0, 2, "a"}}},
		{"identical insertions coalesce", []Edit{{4, 4, "a"}}, []Edit{{4, 4, "a"}}, true, []Edit{{4, 4, "a"}}},
		{"different insertions at one point conflict", []Edit{{4, 4, "a"}}, []Edit{{4, 4, "b"}}, false, []Edit{{4, 4, "a"}}},
		{"overlap conflicts", []Edit{{0, 3, "a"}}, []Edit{{2, 5, "b"}}, false, []Edit{{0, 3, "a"}}},
		{"insert inside replacement conflicts", []Edit{{0, 3, "a"}}, []Edit{{1, 1, "b"}}, false, []Edit{{0, 3, "a"}}},
		{"insert at replacement boundary is fine", []Edit{{0, 3, "a"}}, []Edit{{3, 3, "b"}}, true, []Edit{{0, 3, "a"}, {3, 3, "b"}}},
		{"adjacent replacements are fine", []Edit{{0, 3, "a"}}, []Edit{{3, 5, "b"}}, true, []Edit{{0, 3, "a"}, {3, 5, "b"}}},
		{"atomic: one conflict drops the whole fix", []Edit{{0, 3, "a"}}, []Edit{{7, 8, "c"}, {2, 4, "b"}}, false, []Edit{{0, 3, "a"}}},
		{"conflict within the fix", nil, []Edit{{0, 3, "a"}, {1, 2, "b"}}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Merge(tt.set, tt.fix)
			if ok != tt.ok {
				t.Fatalf("ok = %v, want %v", ok, tt.ok)
			}
			if len(got) != len(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
			for i := range got {
				if got[i] != tt.want[i] {
					t.Fatalf("got %v, want %v", got, tt.want)
				}
			}
		})
	}
}

// FuzzApply checks that Apply either rejects a set of edits or produces
// output whose length is what the edits imply, and that merged edit sets
// always apply.
func FuzzApply(f *testing.F) {
	f.Add("FROM alpine\nRUN echo\n", 3, 5, "xy", 7, 7, "z")
	f.Add("abc", 0, 0, "", 0, 3, "q")
	f.Fuzz(func(t *testing.T, src string, s1, e1 int, n1 string, s2, e2 int, n2 string) {
		edits := []Edit{{s1, e1, n1}, {s2, e2, n2}}
		out, err := Apply([]byte(src), edits)
		if err == nil {
			want := len(src) + len(n1) - (e1 - s1) + len(n2) - (e2 - s2)
			if len(out) != want {
				t.Fatalf("len %d, want %d", len(out), want)
			}
		}
		var set []Edit
		for _, e := range edits {
			if e.Start < 0 || e.End < e.Start || e.End > len(src) {
				continue
			}
			set, _ = Merge(set, []Edit{e})
		}
		if _, err := Apply([]byte(src), set); err != nil {
			t.Fatalf("merged set %v does not apply: %v", set, err)
		}
	})
}
