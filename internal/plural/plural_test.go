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
	} {
		if got := Of(tt.n, tt.noun); got != tt.want {
			t.Errorf("Of(%d, %q) = %q, want %q", tt.n, tt.noun, got, tt.want)
		}
	}
}
