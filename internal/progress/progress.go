// Package progress draws one status line of a long run on a terminal: a
// bar and counts, redrawn in place on standard error, as migrate, check
// and diff show their progress. It draws nothing until a delay has passed,
// so that a quick run prints nothing extra, and the line is cleared before
// anything else is printed, so that messages stay whole.
package progress

import (
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
)

// Line is a status line on a terminal. Its methods may be called from
// several goroutines.
type Line struct {
	mu      sync.Mutex
	w       io.Writer
	status  func() string
	shown   time.Time // when the line may first be drawn
	drawn   bool
	stopped bool
	stop    chan struct{}
	done    chan struct{}
}

// New returns a Line that draws status() on w, which should be a terminal,
// once delay has passed since now: every interval when interval is not 0,
// and whenever Draw is called. A nil Line, which New returns when enabled
// is false (w is not a terminal), does nothing. Stop ends it.
func New(w io.Writer, enabled bool, delay, interval time.Duration, status func() string) *Line {
	if !enabled {
		return nil
	}
	l := &Line{w: w, status: status, shown: time.Now().Add(delay), stop: make(chan struct{}), done: make(chan struct{})}
	if interval <= 0 {
		close(l.done)
		return l
	}
	go func() {
		defer close(l.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-l.stop:
				return
			case <-t.C:
				l.Draw()
			}
		}
	}()
	return l
}

// Draw draws the line now, once the delay has passed.
func (l *Line) Draw() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.stopped || time.Now().Before(l.shown) {
		return
	}
	fmt.Fprintf(l.w, "\r\033[K%s", l.status())
	l.drawn = true
}

// Clear erases the line, so that a message can be printed; the next Draw
// puts it back.
func (l *Line) Clear() {
	if l == nil {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
}

func (l *Line) clear() {
	if l.drawn {
		fmt.Fprint(l.w, "\r\033[K")
		l.drawn = false
	}
}

// Do runs f with the line erased and not drawn meanwhile: f may print to
// the terminal.
func (l *Line) Do(f func() error) error {
	if l == nil {
		return f()
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.clear()
	return f()
}

// Writer returns w wrapped so that each write is made as Do makes it.
func (l *Line) Writer(w io.Writer) io.Writer {
	if l == nil {
		return w
	}
	return writer{l, w}
}

type writer struct {
	l *Line
	w io.Writer
}

func (w writer) Write(p []byte) (n int, err error) {
	err = w.l.Do(func() error {
		n, err = w.w.Write(p)
		return err
	})
	return n, err
}

// Stop erases the line and stops drawing it.
func (l *Line) Stop() {
	if l == nil {
		return
	}
	l.mu.Lock()
	if !l.stopped {
		l.stopped = true
		close(l.stop)
	}
	l.clear()
	l.mu.Unlock()
	<-l.done
}

// Bar returns a bar of width characters for done of total:
// "[=====     ]".
func Bar(done, total, width int) string {
	filled := 0
	if total > 0 {
		filled = min(done*width/total, width)
	}
	return "[" + strings.Repeat("=", filled) + strings.Repeat(" ", width-filled) + "]"
}
