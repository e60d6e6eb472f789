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

// TestReplaceThroughLink: Replace writes a symbolic link's target, keeping
// the link, and makes the target of a dangling link.
func TestReplaceThroughLink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.lock")
	if err := os.WriteFile(target, []byte("old\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link.lock")
	if err := os.Symlink("real.lock", link); err != nil {
		t.Fatal(err)
	}
	if err := Replace(link, []byte("new\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Lstat(link); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link was replaced: %v %v", fi, err)
	}
	if data, _ := os.ReadFile(target); string(data) != "new\n" {
		t.Errorf("target = %q", data)
	}
	if fi, _ := os.Stat(target); fi.Mode().Perm() != 0o600 {
		t.Errorf("target mode %v, want 0600 kept", fi.Mode().Perm())
	}

	dangling := filepath.Join(dir, "dangling.lock")
	if err := os.Symlink(filepath.Join("sub", "..", "made.lock"), dangling); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := Replace(dangling, []byte("x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "made.lock")); err != nil || string(data) != "x\n" {
		t.Errorf("the dangling link's target: %q, %v", data, err)
	}
	if fi, err := os.Lstat(dangling); err != nil || fi.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the dangling link was replaced: %v %v", fi, err)
	}
}
