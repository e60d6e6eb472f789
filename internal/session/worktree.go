package session

import (
	"context"
	"errors"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/migrate"
)

// FixFunc returns the function migrate runs in each repository's
// worktree: the rules, as "dockmend fix" runs them there, with each
// repository's own configuration files (migrate.FixTree); with
// baseReport, also the summary of its base images (migrate
// --base-report).
func (s *Session) FixFunc(baseReport bool) migrate.FixFunc {
	return func(ctx context.Context, req migrate.FixRequest) (*migrate.FixResult, error) {
		res, err := migrate.FixTree(ctx, req, &worktree{set: s.set.fresh(req.Dir)})
		if err == nil && baseReport {
			res.BaseImages, err = baseSummary(ctx, s.set, req)
		}
		return res, err
	}
}

// worktree runs the rules in one repository's worktree, with settings of
// its own (migrate.Rules).
type worktree struct{ set *settings }

// Find implements migrate.Rules.
func (w *worktree) Find(ctx context.Context, dir string) (*migrate.Found, error) {
	p := &Plan{}
	if err := w.set.discover(ctx, p, []string{dir}); err != nil {
		return nil, err
	}
	found := &migrate.Found{Files: p.Files}
	for _, wa := range w.set.finder.Warnings() {
		found.Warnings = append(found.Warnings, wa.String())
	}
	for _, err := range p.Errs {
		if errors.As(err, new(settingsError)) {
			found.Settings = append(found.Settings, err)
			continue
		}
		found.Errs = append(found.Errs, err)
	}
	return found, nil
}

// Run implements migrate.Rules.
func (w *worktree) Run(ctx context.Context, files []*driver.File, write bool, emit func(driver.Outcome) error) error {
	opts := driver.Options{
		Jobs: 1, // repositories run in parallel already
		Emit: emit,
	}
	if write {
		opts.Write = atomicfile.Write
	}
	return driver.Run(ctx, files, opts)
}

// SaveLockfiles implements migrate.Rules.
func (w *worktree) SaveLockfiles(dir string, write bool) ([]string, []error) {
	inside := func(path string) bool {
		rel, err := filepath.Rel(dir, path)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	defer w.set.reg.forget(inside)
	if !write {
		return nil, nil
	}
	return w.set.reg.saveWhere(inside)
}

// baseSummary inspects the base images of a repository's work tree for
// migrate --base-report, through the run's registry settings.
func baseSummary(ctx context.Context, s *settings, req migrate.FixRequest) (*base.Summary, error) {
	res, err := s.reg.resolver(config.Merge(nil, s.over))
	if err != nil {
		return nil, err
	}
	return base.SummarizeDir(ctx, req.Dir, base.Options{Registry: res, Variants: true})
}
