package plural

import "testing"

func TestOf(t *testing.T) {
	for _, tt := range []struct {
		n          int
		noun, want string
	}{
		{0, "file", "0 files"},
		{1, "file", "1 file"},
		{2, "image reference", "2 image references"},
		{3, "repository", "3 repositories"},
		{1, "vulnerability", "1 vulnerability"},
		{2, "key", "2 keys"},
		{2, "Dockerfile", "2 Dockerfiles"},
		{2, "unsafe fix", "2 unsafe fixes"},
		{3, "match", "3 matches"},
		{2, "class", "2 classes"},
	} {
		if got := Of(tt.n, tt.noun); got != tt.want {
			t.Errorf("Of(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}

func TestList(t *testing.T) {
	for _, tt := range []struct {
		words []string
		want  string
	}{
		{nil, ""},
		{[]string{"a"}, "a"},
		{[]string{"a", "b"}, "a and b"},
		{[]string{"a", "b", "c"}, "a, b and c"},
	} {
		if got := List(tt.words); got != tt.want {
			t.Errorf("List(%q) = %q, want %q", tt.words, got, tt.want)
		}
	}
}
