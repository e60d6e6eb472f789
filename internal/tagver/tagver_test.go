package tagver

import (
	"slices"
	"testing"
)

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		tag, head, suffix string
		version           []int
		pre               bool
	}{
		{"3.12.8-slim-bookworm", "3.12.8", "slim-bookworm", []int{3, 12, 8}, false},
		{"3.12", "3.12", "", []int{3, 12}, false},
		{"v1.2", "v1.2", "", []int{1, 2}, false},
		{"bookworm-slim", "bookworm", "slim", nil, false},
		{"latest", "latest", "", nil, false},
		{"3.15-rc", "3.15", "rc", []int{3, 15}, true},
		{"2.0-beta1-alpine", "2.0", "beta1-alpine", []int{2, 0}, true},
		{"3.15.0a2", "3.15.0a2", "", nil, false},
		{"18-bookworm-slim", "18", "bookworm-slim", []int{18}, false},
		{"1.22-alpine3.20", "1.22", "alpine3.20", []int{1, 22}, false},
	} {
		g := Parse(tc.tag)
		if g.Head != tc.head || g.Suffix != tc.suffix || !slices.Equal(g.Version, tc.version) || g.Prerelease() != tc.pre {
			t.Errorf("Parse(%q) = %+v pre=%v", tc.tag, g, g.Prerelease())
		}
	}
}

func TestRefines(t *testing.T) {
	for _, tc := range []struct {
		t, u string
		want bool
	}{
		{"3.12.8-slim", "3.12-slim", true},
		{"3.12.8-slim", "3-slim", true},
		{"3.12.8-slim", "3.12-slim-bookworm", false},
		{"3.12.8-slim-bookworm", "3.12-slim", false},
		{"3.12.8", "3.12", true},
		{"3.12", "3.12", false},
		{"3.13.1", "3.12", false},
		{"3.12.8", "latest", true},
		{"3.12.8-slim", "latest", false},
		{"3.12.8", "", true},
		{"3.12.8-slim", "slim", true},
		{"3.12.8-alpine", "slim", false},
		{"bookworm", "latest", false},
	} {
		if got := Parse(tc.t).Refines(Parse(tc.u)); got != tc.want {
			t.Errorf("%q refines %q = %v, want %v", tc.t, tc.u, got, tc.want)
		}
	}
}

func TestCompare(t *testing.T) {
	tags := []string{"3", "3.12.1", "bookworm", "3.12", "3.12.10", "3.11.9", "3.12.2"}
	var ps []Tag
	for _, s := range tags {
		ps = append(ps, Parse(s))
	}
	slices.SortFunc(ps, Compare)
	var got []string
	for _, p := range ps {
		got = append(got, p.Text)
	}
	want := []string{"3.12.10", "3.12.2", "3.12.1", "3.11.9", "3.12", "3", "bookworm"}
	if !slices.Equal(got, want) {
		t.Errorf("sorted %v, want %v", got, want)
	}
}
