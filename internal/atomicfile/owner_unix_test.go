//go:build unix

package atomicfile

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestWriteKeepsOwner(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give files away")
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "Dockerfile")
	writeFile(t, path, "FROM a\n", 0o644)
	if err := os.Chown(path, 1234, 5678); err != nil {
		t.Fatal(err)
	}
	_, st, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(path, []byte("FROM b\n"), st); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	s := fi.Sys().(*syscall.Stat_t)
	if s.Uid != 1234 || s.Gid != 5678 {
		t.Errorf("owner = %d:%d, want 1234:5678", s.Uid, s.Gid)
	}
}
