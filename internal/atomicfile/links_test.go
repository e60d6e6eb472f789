package atomicfile

import (
	"os"
	"path/filepath"
	"testing"
)

func TestResolveLinks(t *testing.T) {
	dir, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	repo := filepath.Join(dir, "repo")
	out := filepath.Join(dir, "out")
	for _, d := range []string{filepath.Join(repo, "sub"), out} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	links := map[string]string{
		"repo/up":       "..",                 // a directory link out
		"repo/abs":      out,                  // an absolute link out
		"repo/inside":   "sub",                // a directory link in
		"repo/dangling": "sub/new.lock",       // a link to a file not made yet, in
		"repo/escape":   "../out/new.lock",    // a link to a file not made yet, out
		"repo/chain":    "inside/../dangling", // links through links
		"repo/loop":     "loop",
	}
	for name, target := range links {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	for _, tt := range []struct {
		path   string
		rel    string // relative to repo when within, else absolute
		within bool
	}{
		{"repo/sub/x.lock", "sub/x.lock", true},
		{"repo/missing/deeper/x.lock", "missing/deeper/x.lock", true},
		{"repo/../out/x.lock", filepath.Join(out, "x.lock"), false},
		{"repo/up/out/x.lock", filepath.Join(out, "x.lock"), false},
		{"repo/abs/x.lock", filepath.Join(out, "x.lock"), false},
		{"repo/inside/x.lock", "sub/x.lock", true},
		{"repo/dangling", "sub/new.lock", true},
		{"repo/escape", filepath.Join(out, "new.lock"), false},
		{"repo/chain", "sub/new.lock", true},
		{"repo", ".", true},
	} {
		rel, ok, err := Within(repo, filepath.Join(dir, tt.path))
		if err != nil || ok != tt.within || rel != tt.rel {
			t.Errorf("Within(repo, %s) = %q, %v, %v; want %q, %v", tt.path, rel, ok, err, tt.rel, tt.within)
		}
	}
	if _, err := ResolveLinks(filepath.Join(dir, "repo/loop")); err == nil {
		t.Error("a link loop resolved")
	}
}
