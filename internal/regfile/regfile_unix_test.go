//go:build unix

package regfile

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestReadSpecial(t *testing.T) {
	dir := t.TempDir()
	// A link to /dev/zero would never end; a FIFO without a writer would
	// block forever.
	zero := filepath.Join(dir, "zero")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := Read(zero, 1<<20); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), zero+": not a regular file (a character device)") {
			t.Errorf("Read(zero): %v", err)
		}
		if _, err := Read(fifo, 1<<20); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "(a FIFO)") {
			t.Errorf("Read(fifo): %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(time.Minute): // a hang guard, not a timing check
		t.Fatal("Read blocked on a device or a FIFO")
	}
}
