package session

import (
	"context"
	"errors"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/regfile"
	"github.com/dockmend/dockmend/internal/source"
)

// FixFunc returns the function migrate runs in each repository's
// worktree: the rules, as "dockmend fix" runs them there, with each
// repository's own configuration files (migrate.FixTree); with
// baseReport, also the summary of its base images (migrate
// --base-report).
func (s *Session) FixFunc(baseReport bool) migrate.FixFunc {
	return func(ctx context.Context, req migrate.FixRequest) (*migrate.FixResult, error) {
		w := &worktree{set: s.set.fresh(req.Dir)}
		res, err := migrate.FixTree(ctx, req, w)
		if err == nil && baseReport {
			res.BaseImages, err = w.baseSummary(ctx, req.Dir)
		}
		return res, err
	}
}

// worktree runs the rules in one repository's worktree, with settings of
// its own (migrate.Rules).
type worktree struct {
	set  *settings
	plan *Plan // what Find found
}

// Find implements migrate.Rules.
func (w *worktree) Find(ctx context.Context, dir string) (*migrate.Found, error) {
	p := &Plan{}
	if err := w.set.discover(ctx, p, []string{dir}); err != nil {
		return nil, err
	}
	w.plan = p
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

// baseSummary inspects the base images of the Dockerfiles Find found in
// the work tree dir, as they are after the fixes, each with its
// configuration's registry settings, build args and platform, as
// "dockmend base" would (migrate --base-report). Paths are relative to
// dir.
func (w *worktree) baseSummary(ctx context.Context, dir string) (*base.Summary, error) {
	var files []base.File
	var errs []string
	for _, f := range w.plan.Files {
		rel, err := filepath.Rel(dir, f.Path)
		if err != nil {
			return nil, err
		}
		rel = filepath.ToSlash(rel)
		data, err := regfile.Read(f.Path, source.MaxFileSize)
		if err != nil {
			msg := err.Error()
			if pe := (*fs.PathError)(nil); errors.As(err, &pe) {
				msg = pe.Err.Error()
			}
			errs = append(errs, rel+": "+msg)
			continue
		}
		m := w.plan.configs[f]
		reg, err := w.set.reg.resolver(m)
		if err != nil {
			return nil, err
		}
		files = append(files, base.File{Path: rel, Data: data,
			Settings: &base.Settings{Registry: reg, Platform: m.Platform, BuildArgs: m.BuildArgs}})
	}
	reg, err := w.set.reg.resolver(config.Merge(nil, w.set.over))
	if err != nil {
		return nil, err
	}
	rep, err := base.Inspect(ctx, files, base.Options{Registry: reg, Variants: true})
	if err != nil {
		return nil, err
	}
	sum := base.Summarize(rep)
	sum.Errors = append(sum.Errors, errs...)
	return sum, nil
}
