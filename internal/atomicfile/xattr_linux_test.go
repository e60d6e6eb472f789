//go:build linux

package atomicfile

import (
	"errors"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWriteKeepsXattrs sets user.* extended attributes on a file and
// checks that a rewrite keeps them.
func TestWriteKeepsXattrs(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	writeFile(t, path, "FROM a\n", 0o644)
	attrs := map[string]string{"user.dockmend.test": "kept", "user.empty": "", "user.binary": "\x00\xff"}
	for name, value := range attrs {
		if err := unix.Setxattr(path, name, []byte(value), 0); err != nil {
			if errors.Is(err, unix.ENOTSUP) {
				t.Skipf("the file system of %s refuses user.* extended attributes: %v", dir, err)
			}
			t.Fatal(err)
		}
	}
	_, st, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("FROM b\n"), st); err != nil {
		t.Fatal(err)
	}
	if got := readFile(t, path); got != "FROM b\n" {
		t.Fatalf("content = %q", got)
	}
	for name, want := range attrs {
		got, err := getXattr(path, name)
		if err != nil {
			t.Errorf("attribute %s lost: %v", name, err)
			continue
		}
		if string(got) != want {
			t.Errorf("attribute %s = %q, want %q", name, got, want)
		}
	}
}
