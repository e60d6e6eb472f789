package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/diff"
	"github.com/dockmend/dockmend/internal/gitcmd"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/redact"
)

// MigrateOptions configure Session.Migrate.
type MigrateOptions struct {
	// Options are migrate's own; Fix, Emit and Progress are the
	// session's. An empty Branch means "dockmend/" and the names of the
	// rules the flags select.
	migrate.Options
	// Selection chooses the repositories, with the files below.
	Selection migrate.Selection
	// ReposFrom, OnlyFailed and SkipDone name the files of the selection:
	// a list of repositories ("-" for Stdin), and earlier reports.
	ReposFrom, OnlyFailed, SkipDone string
	// Stdin is standard input, for ReposFrom "-".
	Stdin io.Reader
	// BaseReport adds each repository's base images to the report.
	BaseReport bool
	// Verify, if not nil, builds each repository's Dockerfiles before and
	// after their unsafe fixes and commits only the fixes that hold
	// (migrate --verify).
	Verify *VerifyOptions
	// ReportFile, if not "", receives the report as JSON.
	ReportFile string
	// Stdout receives the changes of a dry run as one patch, then the
	// Markdown summary.
	Stdout io.Writer
	// Progress draws a status line on Options.Stderr (a terminal).
	Progress bool
}

// Migrate runs the session's rules over the selected repositories, one
// branch each (see internal/migrate), prints each repository's problems
// as it comes, saves the lock files (in a dry run too: it is how a
// fleet's digests are resolved once, before the real runs), writes the
// report, and prints the summary. A wrong branch or selection is a
// UsageError.
func (s *Session) Migrate(ctx context.Context, o MigrateOptions) (*Result, error) {
	started := time.Now()
	opts := o.Options
	if opts.Branch == "" {
		var err error
		if opts.Branch, err = s.defaultBranch(); err != nil {
			return nil, UsageError{err}
		}
	}
	if err := gitcmd.CheckBranchName(ctx, opts.Branch); err != nil {
		return nil, UsageError{err}
	}
	x := &Result{}
	targets, err := s.targets(ctx, &o, x)
	if err != nil {
		return nil, err
	}
	stderr := s.opts.Stderr
	progress := migrate.NewProgress(stderr, o.Progress)
	opts.Progress = func(done int, counts map[migrate.Status]int) { progress.Update(done, len(targets), counts) }
	if o.Verify != nil {
		if err := o.Verify.setup(ctx); err != nil {
			return nil, err
		}
	}
	opts.Fix = s.FixFunc(o.BaseReport, o.Verify)
	opts.Emit = func(r *migrate.Repository, fix *migrate.FixResult) error {
		// The report and the messages below say what went wrong, never
		// with a credential in it.
		r.Reason = redact.String(r.Reason)
		for i, e := range r.Errors {
			r.Errors[i] = redact.String(e)
		}
		if len(r.Warnings) > 0 {
			progress.Clear()
			for _, w := range r.Warnings {
				fmt.Fprintf(stderr, "%s: warning: %s\n", r.Path, w)
			}
		}
		if r.Status == migrate.Failed || len(r.Errors) > 0 {
			progress.Clear()
			if r.Status == migrate.Failed {
				fmt.Fprintf(stderr, "%s: %s\n", r.Path, r.Reason)
			} else {
				fmt.Fprintf(stderr, "%s: %s; the other files were fixed\n", r.Path, plural.Of(len(r.Errors), "problem"))
			}
			for _, e := range r.Errors {
				fmt.Fprintf(stderr, "  %s\n", e)
			}
			x.Failed = true
		}
		if !opts.DryRun || fix == nil || r.Status != migrate.Changed {
			return nil
		}
		for _, f := range fix.Files {
			label := diff.PatchPath(filepath.Join(r.Path, filepath.FromSlash(f.Path)))
			if err := diff.Write(o.Stdout, "a/"+label, "b/"+label, f.Before, f.After, diff.Options{Context: diff.DefaultContext}); err != nil {
				return err
			}
		}
		return nil
	}
	repos, err := migrate.Run(ctx, targets, opts)
	progress.Clear()
	if err != nil {
		return nil, err
	}
	for _, err := range s.SaveLockfiles() {
		s.fail(x, "", err)
	}
	if repos == nil {
		repos = []*migrate.Repository{} // [] in the JSON report, not null
	}
	rep := &migrate.Report{
		Version: migrate.ReportVersion, Dockmend: opts.Version,
		Started: started.UTC(), Finished: time.Now().UTC(),
		Branch: opts.Branch, DryRun: opts.DryRun, Repositories: repos,
	}
	if o.Selection.Shard != nil {
		rep.Shard = o.Selection.Shard.String()
	}
	rep.Count()
	if o.ReportFile != "" {
		if err := rep.Save(o.ReportFile); err != nil {
			s.fail(x, o.ReportFile, err)
		}
	}
	if opts.DryRun && rep.Counts[migrate.Changed] > 0 {
		fmt.Fprintln(o.Stdout)
	}
	return x, rep.WriteMarkdown(o.Stdout)
}

// defaultBranch is "dockmend/" and the names of the rules the flags
// select, joined with "-".
func (s *Session) defaultBranch() (string, error) {
	selected, err := s.Selected()
	if err != nil {
		return "", err
	}
	var names []string
	for _, t := range selected {
		names = append(names, t.Name)
	}
	if len(names) == 0 {
		return "", errors.New("no rules selected")
	}
	return "dockmend/" + strings.Join(names, "-"), nil
}

// targets opens the files of the selection and returns the repositories
// it selects. Problems finding repositories are printed and recorded in x.
func (s *Session) targets(ctx context.Context, o *MigrateOptions, x *Result) ([]migrate.Target, error) {
	sel := o.Selection
	if o.ReposFrom != "" {
		sel.List, sel.ListName = o.Stdin, o.ReposFrom
		if o.ReposFrom != "-" {
			f, err := os.Open(o.ReposFrom)
			if err != nil {
				return nil, UsageError{PathError(err)}
			}
			defer f.Close()
			sel.List = f
		}
	}
	for _, r := range []struct {
		path string
		rep  **migrate.Report
	}{{o.OnlyFailed, &sel.OnlyFailed}, {o.SkipDone, &sel.SkipDone}} {
		if r.path == "" {
			continue
		}
		var err error
		if *r.rep, err = migrate.ReadReport(r.path); err != nil {
			return nil, UsageError{PathError(err)}
		}
	}
	ts, problems, err := sel.Targets(ctx)
	for _, err := range problems {
		s.fail(x, sel.Root, PathError(err))
	}
	if errors.Is(err, migrate.ErrNoRepositories) {
		return nil, UsageError{errors.New("no repositories: name them, or give --repos-from, --root or --only-failed")}
	}
	return ts, err
}
