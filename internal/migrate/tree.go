package migrate

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/driver"
)

// Rules is what FixTree needs to run dockmend's rules over the Dockerfiles
// of a work tree: internal/session implements it with the command line's
// settings.
type Rules interface {
	// Find returns the Dockerfiles below dir, each with the settings of
	// the configuration files found inside dir (which may name no file
	// outside it).
	Find(ctx context.Context, dir string) (*Found, error)
	// Run runs the rules over files, one at a time, writing the changed
	// ones when write is set, and calls emit with each file's outcome, in
	// order.
	Run(ctx context.Context, files []*driver.File, write bool, emit func(Outcome) error) error
	// SaveLockfiles writes, when write is set, the lock files below dir
	// that changed and returns their paths; either way it then forgets
	// them, for they go with the worktree.
	SaveLockfiles(dir string, write bool) (saved []string, errs []error)
}

// Found are the Dockerfiles of a work tree and the problems met finding
// them.
type Found struct {
	// Files are the Dockerfiles, each with its settings.
	Files []*driver.File
	// Settings are problems with the settings of files (a configuration
	// file, the lock file it names): they fail the repository.
	Settings []error
	// Errs are problems with single files.
	Errs []error
	// Warnings are about configuration files, and stopped nothing.
	Warnings []string
}

// Outcome is what the rules did to one file of a work tree.
type Outcome struct {
	// File is the file, as Find found it.
	File *driver.File
	// Err is the file's error: the rules could not run on it.
	Err error
	// Failed are the findings about work a rule could not do (a failed
	// lookup), one line each: the file is not committed.
	Failed []string
	// Before and After are the file's content; Fixes counts the applied
	// fixes by rule.
	Before, After []byte
	Fixes         map[string]int
	// Verified, under migrate --verify, says whether the file's unsafe
	// fixes held when it was built (Path is filled in by FixTree).
	Verified *Verification
}

// FixTree runs the rules over the Dockerfiles in a repository's worktree,
// as "dockmend fix" does, and writes the changed files when req.Write is
// set: a FixFunc made of rules. Files are named after the repository's
// path, not the temporary worktree. A problem with the settings fails the
// repository; a problem with one file is that file's.
func FixTree(ctx context.Context, req FixRequest, rules Rules) (*FixResult, error) {
	found, err := rules.Find(ctx, req.Dir)
	if err != nil {
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
	res := &FixResult{Found: len(found.Files)}
	for _, w := range found.Warnings {
		res.Warnings = append(res.Warnings, rename(w))
	}
	// A problem with the settings (a configuration file, the lock file
	// it names) fails the repository: the rules cannot run as it asks.
	// A problem with one file is that file's: the others go on.
	var fatal []error
	for _, err := range found.Settings {
		fatal = append(fatal, errors.New(rename(err.Error())))
	}
	for _, err := range found.Errs {
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
	files := found.Files[:0]
	for _, f := range found.Files {
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
	emit := func(out Outcome) error {
		path := filepath.ToSlash(target[out.File])
		if v := out.Verified; v != nil {
			v.Path, v.Error = path, rename(v.Error)
			for rule, why := range v.Dropped {
				v.Dropped[rule] = rename(why)
			}
			res.Verified = append(res.Verified, *v)
		}
		switch {
		case out.Err != nil:
			res.Errors = append(res.Errors, rename(out.Err.Error()))
		case len(out.Failed) > 0:
			// A failed lookup fails the file: no branch pins part of it.
			for _, line := range out.Failed {
				res.Errors = append(res.Errors, rename(line))
			}
		case string(out.Before) != string(out.After):
			res.Files = append(res.Files, FixedFile{Path: path, Fixes: out.Fixes, Before: out.Before, After: out.After})
		}
		return nil
	}
	if err := rules.Run(ctx, files, req.Write, emit); err != nil {
		rules.SaveLockfiles(req.Dir, false)
		return nil, err
	}
	// Lock files the repository configures inside itself are part of its
	// change; they go with the worktree.
	saved, errs := rules.SaveLockfiles(req.Dir, req.Write)
	if req.Write {
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
