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
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/verify"
)

// FixFunc returns the function migrate runs in each repository's
// worktree: the rules, as "dockmend fix" runs them there, with each
// repository's own configuration files (migrate.FixTree); with
// baseReport, also the summary of its base images (migrate
// --base-report); with v, only the unsafe fixes that pass dockmend verify
// (migrate --verify: v.Options has been set up).
func (s *Session) FixFunc(baseReport bool, v *VerifyOptions) migrate.FixFunc {
	return func(ctx context.Context, req migrate.FixRequest) (*migrate.FixResult, error) {
		w := &worktree{set: s.set.fresh(req.Dir), verify: v}
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
	set    *settings
	plan   *Plan          // what Find found
	verify *VerifyOptions // migrate --verify, or nil
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
func (w *worktree) Run(ctx context.Context, files []*driver.File, write bool, emit func(migrate.Outcome) error) error {
	if w.verify != nil {
		return w.runVerify(ctx, files, write, emit)
	}
	opts := driver.Options{
		Jobs: 1, // repositories run in parallel already
		Emit: func(out driver.Outcome) error {
			o := migrate.Outcome{File: out.File, Err: out.Err}
			if out.Err != nil {
				return emit(o)
			}
			if failed := out.Result.Failed(); len(failed) > 0 {
				var b strings.Builder
				if err := report.Text(&b, report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: failed}); err != nil {
					return err
				}
				o.Failed = strings.Split(strings.TrimSpace(b.String()), "\n")
			}
			o.Before, o.After, o.Fixes = out.Result.Input, out.Result.Output, out.Result.FixedByRule
			return emit(o)
		},
	}
	if write {
		opts.Write = atomicfile.Write
	}
	return driver.Run(ctx, files, opts)
}

// runVerify verifies files (migrate --verify): each one is built before
// and after its unsafe fixes, and only the rules whose fixes hold are
// kept, and written when write is set.
func (w *worktree) runVerify(ctx context.Context, files []*driver.File, write bool, emit func(migrate.Outcome) error) error {
	finder := config.NewFinder()
	var vfiles []*verify.File
	for _, f := range files {
		vf := verify.NewFile(f.Path, f.Options, finder, w.set.configFile(), w.verify.Build)
		vf.Name = f.Name
		vfiles = append(vfiles, vf)
	}
	if err := driver.Prepare(ctx, files); err != nil { // the pin rule's lookups
		return err
	}
	opts := w.verify.Options
	opts.Progress = nil // migrate draws its own
	if write {
		opts.Write = atomicfile.Write
	}
	i := 0
	opts.Emit = func(r *verify.Result) error {
		o := migrate.Outcome{File: files[i], Verified: &migrate.Verification{Status: string(r.Status), Kept: r.Kept(), Error: r.Error}}
		i++
		for _, rule := range r.Rules {
			if !rule.Kept {
				if o.Verified.Dropped == nil {
					o.Verified.Dropped = map[string]string{}
				}
				o.Verified.Dropped[rule.Name] = rule.Reason
			}
		}
		switch {
		case r.Output == nil: // the rules could not run: an error of the file, as fix has
			o.Err = errors.New(r.Error)
		case len(r.Failed) > 0:
			o.Failed = r.Failed
		default:
			o.Before, o.After, o.Fixes = r.Input, r.Output, r.Fixed
		}
		return emit(o)
	}
	return verify.Run(ctx, vfiles, opts)
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
