package migrate

import (
	"fmt"
	"io"
	"sync"

	"github.com/dockmend/dockmend/internal/progress"
)

// Progress draws one status line of a run on a terminal: a bar and the
// counts so far, redrawn after each repository (internal/progress draws
// it). Updates come from the workers and messages from the main
// goroutine: the line keeps them whole.
type Progress struct {
	line *progress.Line
	mu   sync.Mutex
	text string
}

// NewProgress returns a Progress that draws on w, or does nothing when
// not enabled (w is not a terminal).
func NewProgress(w io.Writer, enabled bool) *Progress {
	p := &Progress{}
	p.line = progress.New(w, enabled, 0, 0, func() string {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.text
	})
	return p
}

// Update draws the line for done of total repositories (Options.Progress).
func (p *Progress) Update(done, total int, counts map[Status]int) {
	p.mu.Lock()
	p.text = fmt.Sprintf("%s %d/%d repositories: %d changed, %d unchanged, %d skipped, %d failed",
		progress.Bar(done, total, 24), done, total, counts[Changed], counts[Unchanged], counts[Skipped], counts[Failed])
	p.mu.Unlock()
	p.line.Draw()
}

// Clear erases the status line, so that a message can be printed.
func (p *Progress) Clear() { p.line.Clear() }
