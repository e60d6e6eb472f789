package session

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/transform/pin"
)

// FixFunc returns the function migrate runs in each repository's
// worktree: the rules, as "dockmend fix" runs them there, with each
// repository's own configuration files; with baseReport, also the
// summary of its base images (migrate --base-report).
func (s *Session) FixFunc(baseReport bool) migrate.FixFunc {
	return func(ctx context.Context, req migrate.FixRequest) (*migrate.FixResult, error) {
		res, err := fixTree(ctx, s.set.fresh(req.Dir), req)
		if err == nil && baseReport {
			res.BaseImages, err = baseSummary(ctx, s.set, req)
		}
		return res, err
	}
}

// fixTree runs the rules over the Dockerfiles in a repository's worktree,
// as "dockmend fix" does, and writes the changed files when asked. Files
// are named after the repository's path, not the temporary worktree.
func fixTree(ctx context.Context, s *settings, req migrate.FixRequest) (*migrate.FixResult, error) {
	reg := s.reg
	p := &Plan{pins: map[*driver.File]*pin.Options{}}
	if err := s.discover(ctx, p, []string{req.Dir}); err != nil {
		return nil, err
	}
	// Messages name the repository as the user gave it, not the
	// worktree (which configuration files may show relative to the
	// working directory).
	dirs := []string{req.Dir}
	if wd, err := os.Getwd(); err == nil {
		if rel, err := filepath.Rel(wd, req.Dir); err == nil && !strings.HasPrefix(rel, "..") {
			dirs = append(dirs, rel)
		}
	}
	rename := func(msg string) string {
		for _, d := range dirs {
			msg = strings.ReplaceAll(msg, d, filepath.Clean(req.Name))
		}
		return msg
	}
	res := &migrate.FixResult{Found: len(p.Files)}
	for _, w := range s.finder.Warnings() {
		res.Warnings = append(res.Warnings, rename(w.String()))
	}
	// A problem with the settings (a configuration file, the lock file
	// it names) fails the repository: the rules cannot run as it asks.
	// A problem with one file is that file's: the others go on.
	var fatal []error
	for _, err := range p.Errs {
		if errors.As(err, new(settingsError)) {
			fatal = append(fatal, errors.New(rename(err.Error())))
			continue
		}
		res.Errors = append(res.Errors, rename(err.Error()))
	}
	if len(fatal) > 0 {
		return res, errors.Join(fatal...)
	}
	// A Dockerfile may be a symbolic link. fix writes through links, so
	// the change lands in the link's target: that target must lie in the
	// worktree (the commit then holds it, under its own path), never
	// outside, where it would be the user's file or no one's.
	realDir, err := filepath.EvalSymlinks(req.Dir)
	if err != nil {
		return nil, err
	}
	target := map[*driver.File]string{} // the file to commit, relative to the worktree
	files := p.Files[:0]
	for _, f := range p.Files {
		rel, err := filepath.Rel(req.Dir, f.Path)
		if err != nil {
			return nil, err
		}
		f.Name = filepath.Join(req.Name, rel)
		real, err := filepath.EvalSymlinks(f.Path)
		if err != nil {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: %v", f.Name, rename(err.Error())))
			continue
		}
		realRel, err := filepath.Rel(realDir, real)
		if err != nil || realRel == ".." || strings.HasPrefix(realRel, ".."+string(filepath.Separator)) {
			res.Errors = append(res.Errors, fmt.Sprintf("%s: a symbolic link to %s, outside the repository: not fixed (exclude it in .dockmend.yaml)", f.Name, rename(real)))
			continue
		}
		target[f] = realRel
		files = append(files, f)
	}
	p.Files = files
	dopts := driver.Options{
		Jobs:    1, // repositories run in parallel already
		Prepare: prefetch(p.pins),
		Emit: func(out driver.Outcome) error {
			if out.Err != nil {
				res.Errors = append(res.Errors, rename(out.Err.Error()))
				return nil
			}
			if failed := out.Result.Failed(); len(failed) > 0 {
				var b strings.Builder
				if err := report.Text(&b, report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: failed}); err != nil {
					return err
				}
				for _, line := range strings.Split(strings.TrimSpace(b.String()), "\n") {
					res.Errors = append(res.Errors, line)
				}
				return nil
			}
			if !out.Result.Changed() {
				return nil
			}
			res.Files = append(res.Files, migrate.FixedFile{
				Path: filepath.ToSlash(target[out.File]), Fixes: out.Result.FixedByRule,
				Before: out.Result.Input, After: out.Result.Output,
			})
			return nil
		},
	}
	if req.Write {
		dopts.Write = atomicfile.Write
	}
	if err := driver.Run(ctx, p.Files, dopts); err != nil {
		return nil, err
	}
	// Lock files the repository configures inside itself are part of its
	// change; they go with the worktree.
	inside := func(path string) bool {
		rel, err := filepath.Rel(req.Dir, path)
		return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
	}
	defer reg.forget(inside)
	if req.Write {
		saved, errs := reg.saveWhere(inside)
		for _, err := range errs {
			res.Errors = append(res.Errors, rename(err.Error()))
		}
		for _, path := range saved {
			// The file written: the target of a lock file that is a
			// symbolic link (the settings checked it is in the worktree).
			rel, ok, err := atomicfile.Within(req.Dir, path)
			if err != nil || !ok {
				return res, fmt.Errorf("%s: written outside the repository (%v)", rename(path), err)
			}
			res.Other = append(res.Other, rel)
		}
	}
	return res, nil
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
