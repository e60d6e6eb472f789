package session

import (
	"context"
	"fmt"
	"slices"
	"sync/atomic"
	"time"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/progress"
	"github.com/dockmend/dockmend/internal/redact"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/resolve"
)

// RunOptions say what to do with the files of a Plan.
type RunOptions struct {
	// Write rewrites the files whose content changed, and then the lock
	// files whose content changed (not when the input is standard input).
	Write bool
	// ShowFailed prints, to Options.Stderr, the findings about work a
	// rule could not do (a failed registry lookup): for commands that do
	// not list findings.
	ShowFailed bool
	// Emit is called with each file that was processed, in order. An
	// error from it stops the run.
	Emit func(driver.Outcome) error
	// Quiet leaves out the warnings (about configuration files, skipped
	// files, no Dockerfiles found): only errors are printed.
	Quiet bool
	// Progress draws a progress line on Options.Stderr, which must be a
	// terminal, when the run takes longer than a second: the digest
	// lookups, then the files done. Emit may print to the same terminal:
	// the line is erased while it runs.
	Progress bool
}

// progressDelay and progressInterval time the progress line: drawn once
// a run has taken a second, redrawn five times a second (variables for
// the tests).
var (
	progressDelay    = time.Second
	progressInterval = 200 * time.Millisecond
)

// Result is what a run left to report besides the outcomes.
type Result struct {
	// Errors are the problems of the run (files that could not be
	// processed, settings, unreachable registries), with credentials
	// masked, as printed to Options.Stderr when they came.
	Errors []report.Error
	// Failed reports a problem: an error, or a finding about work a rule
	// could not do (transform.Finding.Failed).
	Failed bool
}

// fail prints err, with credentials masked, and records it.
func (s *Session) fail(res *Result, path string, err error) {
	msg := redact.String(err.Error())
	fmt.Fprintln(s.opts.Stderr, msg)
	res.Errors = append(res.Errors, report.Error{Path: path, Message: msg})
	res.Failed = true
}

// Run processes the plan's files, writing changed files when asked, and
// calls o.Emit with each file that was processed, in order. Errors are
// printed and recorded; the returned error is one that stopped the run
// (Emit failing, or an interrupt). Findings about work a rule could not
// do (transform.Finding.Failed, such as a failed registry lookup) mark
// the result as failed.
func (s *Session) Run(ctx context.Context, p *Plan, o RunOptions) (*Result, error) {
	res := &Result{}
	var done atomic.Int64
	prepared := atomic.Bool{}
	line := progress.New(s.opts.Stderr, o.Progress, progressDelay, progressInterval, func() string {
		switch {
		case !prepared.Load() && s.reg.queued.Load() == 0:
			return "reading " + plural.Of(len(p.Files), "file")
		case !prepared.Load():
			return fmt.Sprintf("looking up image digests: %d of %d", s.reg.looked.Load(), s.reg.queued.Load())
		}
		return fmt.Sprintf("%s %d/%s", progress.Bar(int(done.Load()), len(p.Files), 24), done.Load(), plural.Of(len(p.Files), "file"))
	})
	defer line.Stop()
	// Messages go out whole, with the progress line erased.
	out := *s
	out.opts.Stderr = line.Writer(s.opts.Stderr)
	s = &out
	stderr := s.opts.Stderr
	if !o.Quiet {
		for _, w := range p.Warnings {
			fmt.Fprintf(stderr, "%s: warning: %s\n", w.Path, w.Message)
		}
		for _, sk := range p.Skipped {
			fmt.Fprintln(stderr, sk)
		}
	}
	for _, err := range p.Errs {
		s.fail(res, "", err)
	}
	if len(p.Files) == 0 && len(p.Errs) == 0 && !o.Quiet {
		fmt.Fprintln(stderr, "dockmend: no Dockerfiles found")
	}
	// Registries that could not be reached are said once each, after the
	// files, not once per reference: Prepare has looked everything up.
	var unreachable []resolve.Unreachable
	opts := driver.Options{
		Prepared: func() { unreachable = s.reg.unreachable(); prepared.Store(true) },
		Emit: func(out driver.Outcome) error {
			defer done.Add(1)
			if out.Err != nil {
				s.fail(res, out.File.Path, out.Err)
				return nil
			}
			if len(unreachable) > 0 {
				// Left out of what diff and fix print; check lists every
				// finding (Result.Findings).
				out.Result.Remaining = slices.DeleteFunc(slices.Clone(out.Result.Remaining), func(f engine.Finding) bool {
					return aboutUnreachable(f.Finding, unreachable)
				})
			}
			if failed := out.Result.Failed(); len(failed) > 0 {
				res.Failed = true
				if o.ShowFailed {
					f := report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: failed}
					if err := report.Text(stderr, f); err != nil {
						return err
					}
				}
			}
			if o.Emit == nil {
				return nil
			}
			return line.Do(func() error { return o.Emit(out) })
		},
	}
	if o.Write {
		opts.Write = atomicfile.Write
	}
	err := driver.Run(ctx, p.Files, opts)
	for _, u := range unreachable {
		refs := plural.Of(u.Refs, "image reference")
		what := u.Registry
		if u.Mirror != "" {
			what += " (through its mirror " + u.Mirror + ")"
		}
		s.fail(res, "", fmt.Errorf("cannot reach registry %s: %s (%s not resolved)", what, u.Err, refs))
	}
	if len(unreachable) > 0 {
		fmt.Fprintln(stderr, unreachableHint)
	}
	if o.Write && err == nil && !p.Stdin { // standard input touches no file, not even the lock file
		for _, err := range s.SaveLockfiles() {
			s.fail(res, "", err)
		}
	}
	return res, err
}
