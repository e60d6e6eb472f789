package migrate

import (
	"fmt"
	"io"
	"strings"
	"sync"
)

// Progress draws one status line of a run on a terminal: a bar and the
// counts so far. Updates come from the workers and messages from the main
// goroutine: a mutex keeps their lines whole.
type Progress struct {
	mu      sync.Mutex
	w       io.Writer
	enabled bool
	drawn   bool
}

// NewProgress returns a Progress that draws on w, or does nothing when
// not enabled (w is not a terminal).
func NewProgress(w io.Writer, enabled bool) *Progress {
	return &Progress{w: w, enabled: enabled}
}

// Update draws the line for done of total repositories (Options.Progress).
func (p *Progress) Update(done, total int, counts map[Status]int) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	const width = 24
	filled := 0
	if total > 0 {
		filled = done * width / total
	}
	bar := strings.Repeat("=", filled) + strings.Repeat(" ", width-filled)
	fmt.Fprintf(p.w, "\r\033[K[%s] %d/%d repositories: %d changed, %d unchanged, %d skipped, %d failed",
		bar, done, total, counts[Changed], counts[Unchanged], counts[Skipped], counts[Failed])
	p.drawn = true
}

// Clear erases the status line, so that a message can be printed.
func (p *Progress) Clear() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\033[K")
		p.drawn = false
	}
}
