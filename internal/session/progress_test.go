package session

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/driver"
)

// lockedBuffer is a bytes.Buffer for the progress line's goroutine.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestRunProgress: with Progress, a run that takes long enough draws the
// files done on standard error, erases the line for what Emit prints and
// for the run's own messages, and leaves no line behind; Quiet leaves the
// warnings out.
func TestRunProgress(t *testing.T) {
	delay, interval := progressDelay, progressInterval
	progressDelay, progressInterval = 0, time.Millisecond
	t.Cleanup(func() { progressDelay, progressInterval = delay, interval })

	dir := t.TempDir()
	files := map[string]string{}
	for i := range 5 {
		files[fmt.Sprintf("f%d/Dockerfile", i)] = "FROM scratch\n"
	}
	write(t, dir, files)
	var stderr lockedBuffer
	s, err := New(Options{Stderr: &stderr})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.Plan(context.Background(), Input{Paths: []string{filepath.Join(dir, "missing"), dir}})
	if err != nil {
		t.Fatal(err)
	}
	emitted := 0
	_, err = s.Run(context.Background(), p, RunOptions{Progress: true, Emit: func(driver.Outcome) error {
		// Slow enough for the line to be drawn between files.
		time.Sleep(20 * time.Millisecond)
		emitted++
		_, err := fmt.Fprintf(&stderr, "file %d\n", emitted)
		return err
	}})
	if err != nil {
		t.Fatal(err)
	}
	out := stderr.String()
	if !strings.Contains(out, "\r\033[K[") || !strings.Contains(out, "/5 files") {
		t.Errorf("no progress line: %q", out)
	}
	// Every message starts on an erased line and ends whole.
	for i := 1; i <= 5; i++ {
		if !strings.Contains(out, fmt.Sprintf("file %d\n", i)) {
			t.Errorf("message %d not whole: %q", i, out)
		}
	}
	if !strings.Contains(out, "missing: no such file or directory\n") {
		t.Errorf("the run's error is missing: %q", out)
	}
	if !strings.HasSuffix(out, "\r\033[K") && !strings.HasSuffix(out, "\n") {
		t.Errorf("a progress line is left behind: %q", out[max(0, len(out)-80):])
	}
	if strings.Count(out, "\r\033[K") < 2 {
		t.Errorf("the line was never redrawn: %q", out)
	}

	// Without Progress, and quiet: no line, no warning ("no Dockerfiles
	// found"); loud, the warning.
	for _, quiet := range []bool{true, false} {
		stderr = lockedBuffer{}
		p, err = s.Plan(context.Background(), Input{Paths: []string{t.TempDir()}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.Run(context.Background(), p, RunOptions{Quiet: quiet}); err != nil {
			t.Fatal(err)
		}
		if out, want := stderr.String(), map[bool]string{true: "", false: "dockmend: no Dockerfiles found\n"}[quiet]; out != want {
			t.Errorf("quiet=%v: printed %q, want %q", quiet, out, want)
		}
	}
}
