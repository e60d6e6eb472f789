package session

import (
	"os"
	"path/filepath"
	"testing"
)

// TestRealPath checks realPath, which resolves the directory of many
// files once, against filepath.EvalSymlinks on every kind of path.
func TestRealPath(t *testing.T) {
	dir := t.TempDir()
	mk := func(p string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Join(dir, p), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	write := func(p string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, p), []byte("FROM x\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	link := func(target, p string) {
		t.Helper()
		if err := os.Symlink(target, filepath.Join(dir, p)); err != nil {
			t.Skipf("symbolic links: %v", err)
		}
	}
	mk("real/sub")
	mk("other")
	write("real/Dockerfile")
	write("real/sub/Dockerfile")
	write("other/Dockerfile")
	link("real", "linkdir")
	link("real/Dockerfile", "linkfile")
	link("../other", "real/up")
	t.Chdir(dir)
	dirs := map[string]string{}
	for _, p := range []string{
		"real/Dockerfile", "real/sub/Dockerfile", "linkdir/Dockerfile", "linkdir/sub/Dockerfile",
		"linkfile", "real/up/Dockerfile", "linkdir/sub/../Dockerfile", "real/up/../real/Dockerfile",
		filepath.Join(dir, "linkdir/Dockerfile"), "missing/Dockerfile", "real/missing", "Dockerfile",
	} {
		want, err := filepath.EvalSymlinks(p)
		if err != nil {
			want = p
		}
		for range 2 { // the second time from dirs
			if got := realPath(p, dirs); got != want {
				t.Errorf("realPath(%q) = %q, want %q", p, got, want)
			}
		}
	}
}
