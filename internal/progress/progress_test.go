package progress

import (
	"bytes"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// syncBuffer is a bytes.Buffer safe for the drawing goroutine.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestLine(t *testing.T) {
	var out syncBuffer
	var n atomic.Int64
	l := New(&out, true, 0, time.Millisecond, func() string { return "step " + string(rune('0'+n.Load())) })
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), "step 0") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	// A message goes out whole, on a cleared line.
	if _, err := l.Writer(&out).Write([]byte("a message\n")); err != nil {
		t.Fatal(err)
	}
	n.Store(1)
	for !strings.Contains(out.String(), "step 1") && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	l.Stop()
	l.Stop() // twice is fine
	got := out.String()
	if !strings.Contains(got, "\r\033[Kstep 0") || !strings.Contains(got, "\r\033[Ka message\n") || !strings.Contains(got, "step 1") {
		t.Errorf("output %q", got)
	}
	if !strings.HasSuffix(got, "\r\033[K") {
		t.Errorf("Stop did not clear the line: %q", got)
	}
	size := len(out.String())
	time.Sleep(10 * time.Millisecond)
	if len(out.String()) != size {
		t.Error("drawn after Stop")
	}
}

// TestLineDelay: nothing is drawn before the delay, and a disabled Line
// does nothing at all.
func TestLineDelay(t *testing.T) {
	var out syncBuffer
	l := New(&out, true, time.Hour, time.Millisecond, func() string { return "x" })
	l.Draw()
	time.Sleep(5 * time.Millisecond)
	if _, err := l.Writer(&out).Write([]byte("m\n")); err != nil {
		t.Fatal(err)
	}
	l.Stop()
	if out.String() != "m\n" {
		t.Errorf("before the delay: %q", out.String())
	}
	var off *Line = New(&out, false, 0, time.Millisecond, func() string { return "x" })
	if off != nil {
		t.Fatal("a disabled Line is not nil")
	}
	off.Draw()
	off.Clear()
	_ = off.Do(func() error { return nil })
	off.Stop()
	if w := off.Writer(&out); w != &out {
		t.Error("a disabled Line wraps the writer")
	}
}

func TestBar(t *testing.T) {
	for _, tt := range []struct {
		done, total int
		want        string
	}{{0, 10, "[    ]"}, {5, 10, "[==  ]"}, {10, 10, "[====]"}, {3, 0, "[    ]"}, {12, 10, "[====]"}} {
		if got := Bar(tt.done, tt.total, 4); got != tt.want {
			t.Errorf("Bar(%d, %d) = %q, want %q", tt.done, tt.total, got, tt.want)
		}
	}
}
