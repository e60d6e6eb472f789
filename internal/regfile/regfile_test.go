package regfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	small := write("small", "hello\n")
	if data, err := Read(small, 6); err != nil || string(data) != "hello\n" {
		t.Errorf("Read(small, 6) = %q, %v", data, err)
	}
	empty := write("empty", "")
	if data, err := Read(empty, 10); err != nil || len(data) != 0 {
		t.Errorf("Read(empty) = %q, %v", data, err)
	}
	if _, err := Read(small, 5); !errors.Is(err, ErrTooLarge) || !strings.HasPrefix(err.Error(), small+": ") || !strings.Contains(err.Error(), "larger than 5 bytes") {
		t.Errorf("Read(small, 5): %v", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("small", link); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(link, 100); err != nil || string(data) != "hello\n" {
		t.Errorf("Read(link) = %q, %v", data, err)
	}
	if _, err := Read(filepath.Join(dir, "missing"), 100); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Read(missing): %v", err)
	}
	if _, err := Read(dir, 100); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "not a regular file (a directory)") {
		t.Errorf("Read(dir): %v", err)
	}
}

func TestSize(t *testing.T) {
	for n, want := range map[int64]string{1 << 20: "1 MiB", 64 << 20: "64 MiB", 512 << 10: "512 KiB", 300: "300 bytes", 1500: "1500 bytes"} {
		if got := Size(n); got != want {
			t.Errorf("Size(%d) = %q, want %q", n, got, want)
		}
	}
}
