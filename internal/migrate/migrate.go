// Package migrate applies dockmend's fixes across many git repositories.
// For each one it checks the base commit out into a temporary worktree,
// runs the rules there, and commits what changed to a new branch, leaving
// the user's checkout, index and current branch alone. It reports every
// repository's outcome (changed, unchanged, skipped, failed) as JSON and
// Markdown, and selects repositories by shard or from an earlier report,
// so that a fleet can be split across machines and re-run where it failed.
//
// The rules themselves are not this package's business: the caller
// passes a FixFunc that runs them over a directory (the command line
// passes the same machinery as "dockmend fix").
package migrate

import (
	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/ordered"
	"github.com/dockmend/dockmend/internal/plural"

	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dockmend/dockmend/internal/gitcmd"
)

// FixRequest asks a FixFunc to run the rules over a work tree.
type FixRequest struct {
	// Dir is the work tree: a temporary worktree at the base commit.
	Dir string
	// Name is the repository's path as the user gave it, for messages:
	// a file is named filepath.Join(Name, path relative to Dir).
	Name string
	// Write says to rewrite the changed files in Dir; a dry run does not.
	Write bool
}

// FixResult is what the rules did to a work tree.
type FixResult struct {
	// Found counts the Dockerfiles processed.
	Found int
	// Files are the files that changed, in order.
	Files []FixedFile
	// Other are further files in Dir that changed and belong in the
	// commit, relative to Dir (a lock file the repository configures).
	Other []string
	// Errors are problems with single files, each naming the file; the
	// other files are fixed and committed.
	Errors []string
	// Verified are the verifications of the Dockerfiles, with --verify.
	Verified []Verification
	// BaseImages is the "dockmend base" summary of the work tree's
	// Dockerfiles, when asked for (migrate --base-report).
	BaseImages *base.Summary
	// Warnings are things to tell that stopped nothing (a configuration
	// file that is a dangling symbolic link).
	Warnings []string
}

// FixedFile is one changed Dockerfile.
type FixedFile struct {
	// Path is relative to the work tree, with forward slashes.
	Path string
	// Fixes counts the applied fixes by rule.
	Fixes map[string]int
	// Before and After are the file's content.
	Before, After []byte
}

// FixFunc runs the rules over the Dockerfiles in a work tree. An error
// fails the whole repository (a joined error is listed problem by
// problem); problems with single files go in FixResult.Errors. The
// FixResult may come with an error, for its warnings.
type FixFunc func(ctx context.Context, req FixRequest) (*FixResult, error)

// Options configure Run.
type Options struct {
	// Branch is the branch name the fixes are committed to.
	Branch string
	// Base is the revision the branch starts from; "" means HEAD.
	Base string
	// Replace moves an existing branch to the new commit; otherwise a
	// repository whose branch exists is skipped.
	Replace bool
	// Remote, when not "", is where the branch is pushed.
	Remote string
	// DryRun runs the rules without writing files or creating anything.
	DryRun bool
	// Author, when not nil, is the author and committer of the commits;
	// otherwise each repository's configuration decides.
	Author *gitcmd.Identity
	// Jobs bounds the repositories processed at once; 0 means the number
	// of CPUs Go may use (GOMAXPROCS).
	Jobs int
	// TempDir is where worktrees are made; "" means os.TempDir().
	TempDir string
	// Version names dockmend in commit messages.
	Version string
	// Fix runs the rules.
	Fix FixFunc
	// Emit, if set, is called with each repository's outcome and fix
	// result (nil when the rules did not run), one at a time, in the order
	// of the targets.
	Emit func(*Repository, *FixResult) error
	// Progress, if set, is called after each repository finishes, in the
	// order they finish, with the counts so far. Calls do not overlap.
	Progress func(done int, counts map[Status]int)
}

// Run migrates the targets and returns their outcomes in order. A
// repository's failure is in its outcome and never stops the others; the
// error is Emit's, or the context's when it is done (then the outcomes of
// unfinished repositories are missing).
func Run(ctx context.Context, targets []Target, opts Options) ([]*Repository, error) {
	if opts.Fix == nil {
		return nil, errors.New("migrate: no FixFunc")
	}
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	tmp, err := os.MkdirTemp(opts.TempDir, tempPrefix)
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)

	type slot struct {
		rep *Repository
		fix *FixResult
	}
	slots := make([]slot, len(targets))
	var mu sync.Mutex
	finished := 0
	counts := map[Status]int{}
	locks := &keyedMutex{m: map[string]*sync.Mutex{}}
	me := self()
	var out []*Repository
	err = ordered.Run(ctx, len(targets), jobs, func(ctx context.Context, i int) {
		t := targets[i]
		wt := filepath.Join(tmp, fmt.Sprintf("%05d-%s", i, safeName(t.Path)))
		rep, fix := migrateOne(ctx, t, wt, &opts, locks, me)
		if ctx.Err() != nil {
			return
		}
		slots[i] = slot{rep, fix}
		mu.Lock()
		defer mu.Unlock()
		finished++
		counts[rep.Status]++
		if opts.Progress != nil {
			opts.Progress(finished, maps.Clone(counts))
		}
	}, func(i int) error {
		s := slots[i]
		slots[i].fix = nil // let the file contents go
		if s.rep == nil {
			return nil
		}
		out = append(out, s.rep)
		if opts.Emit == nil {
			return nil
		}
		return opts.Emit(s.rep, s.fix)
	})
	return out, err
}

// keyedMutex is a mutex per key.
type keyedMutex struct {
	mu sync.Mutex
	m  map[string]*sync.Mutex
}

// lock locks key and returns its unlock.
func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	m, ok := k.m[key]
	if !ok {
		m = &sync.Mutex{}
		k.m[key] = m
	}
	k.mu.Unlock()
	m.Lock()
	return m.Unlock
}

// safeName turns a path into a file name for a worktree directory.
func safeName(p string) string {
	base := filepath.Base(filepath.Clean(p))
	var b strings.Builder
	for _, r := range base {
		if r == '-' || r == '_' || r == '.' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	if s := b.String(); s != "" && s != "." && s != ".." {
		return s
	}
	return "repo"
}

// migrateOne processes one repository with the worktree at wt; me is the
// running migrate, whose marker locks the worktree.
//
// When ctx is done (an interrupt), the repository is finished or undone:
// the git command running is stopped (git undoes its own half-done work),
// no step after it starts, the branch is put back if a push did not
// finish, and the worktree is removed.
func migrateOne(ctx context.Context, t Target, wt string, opts *Options, locks *keyedMutex, me owner) (rep *Repository, fix *FixResult) {
	start := time.Now()
	rep = &Repository{Path: t.Path}
	defer func() {
		if r := recover(); r != nil {
			rep.Status, rep.Reason = Failed, fmt.Sprintf("internal error: %v\n%s", r, debug.Stack())
		}
		rep.Seconds = time.Since(start).Seconds()
	}()
	fail := func(err error) (*Repository, *FixResult) {
		// Nothing was committed: the report lists no files or fixes.
		rep.Status, rep.Reason, rep.Files, rep.Fixes = Failed, err.Error(), nil, nil
		// Several problems (a FixFunc's joined errors) are listed one by
		// one, as the problems with single files are.
		if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 1 {
			errs := j.Unwrap()
			rep.Reason = plural.Of(len(errs), "problem") + "; nothing to commit"
			for _, e := range errs {
				rep.Errors = append(rep.Errors, e.Error())
			}
		}
		return rep, fix
	}
	repo := gitcmd.Repo{Dir: t.Path}
	if fi, err := os.Stat(t.Path); err != nil {
		if isNotExist(err) {
			return fail(errors.New("no such directory"))
		}
		return fail(err)
	} else if !fi.IsDir() {
		return fail(errors.New("not a directory"))
	}
	baseRev := opts.Base
	if baseRev == "" {
		baseRev = "HEAD"
	}
	loc, err := repo.Locate(ctx, baseRev)
	switch {
	case errors.Is(err, gitcmd.ErrNoRevision) && baseRev == "HEAD":
		return fail(errors.New("no commits yet (HEAD is not a commit)"))
	case errors.Is(err, gitcmd.ErrNoRevision):
		return fail(fmt.Errorf("base %s is not a commit", baseRev))
	case err != nil:
		return fail(err)
	}
	repo.Dir = loc.Top
	// Two paths may lead to one repository (a symbolic link, a second
	// worktree): they share branches, so they take turns, and the second
	// finds the branch the first made.
	defer locks.lock(loc.CommonDir)()
	rep.Warnings = append(rep.Warnings, removeStale(context.WithoutCancel(ctx), repo, loc.CommonDir, me)...)
	base := loc.Commit
	rep.Base = base
	ref := "refs/heads/" + opts.Branch
	old, exists, err := repo.Ref(ctx, ref)
	if err != nil {
		return fail(err)
	}
	if exists && !opts.Replace {
		rep.Status, rep.Reason = Skipped, fmt.Sprintf("branch %s exists (--conflict replace moves it)", opts.Branch)
		return rep, nil
	}
	if exists && !opts.DryRun {
		if path, err := repo.CheckedOutIn(ctx, ref); err != nil {
			return fail(err)
		} else if path != "" {
			return fail(fmt.Errorf("branch %s is checked out in %s: cannot replace it", opts.Branch, path))
		}
	}

	defer func() {
		// Cleaning up must happen even when ctx is done, and after an
		// add that failed or was stopped half-way too.
		if err := repo.RemoveWorktree(context.WithoutCancel(ctx), loc.CommonDir, wt); err != nil {
			if _, serr := os.Lstat(wt); serr == nil {
				rep.Warnings = append(rep.Warnings, fmt.Sprintf("removing the temporary worktree %s: %v", wt, err))
			}
		}
	}()
	if err := repo.AddWorktree(ctx, wt, base, me.lockReason()); err != nil {
		return fail(err)
	}
	fix, err = opts.Fix(ctx, FixRequest{Dir: wt, Name: t.Path, Write: !opts.DryRun})
	if fix != nil {
		rep.Warnings = append(rep.Warnings, fix.Warnings...)
	}
	if err != nil {
		return fail(err)
	}
	// A file that could not be fixed is that file's problem: the others
	// are committed, and the repository's outcome lists the problems.
	rep.Errors, rep.Verified = fix.Errors, fix.Verified
	rep.BaseImages = fix.BaseImages
	switch {
	case len(fix.Files) == 0 && len(fix.Errors) > 0:
		return fail(fmt.Errorf("%s; nothing to commit", plural.Of(len(fix.Errors), "problem")))
	case fix.Found == 0:
		rep.Status, rep.Reason = Skipped, "no Dockerfiles"
		return rep, fix
	case len(fix.Files) == 0:
		rep.Status = Unchanged
		return rep, fix
	}
	rep.Fixes = map[string]int{}
	var paths []string
	for _, f := range fix.Files {
		rep.Files = append(rep.Files, FileFixes{Path: f.Path, Fixes: f.Fixes})
		for r, n := range f.Fixes {
			rep.Fixes[r] += n
		}
		paths = append(paths, filepath.FromSlash(f.Path))
	}
	if opts.DryRun {
		rep.Status = Changed
		return rep, fix
	}
	if err := ctx.Err(); err != nil {
		return fail(err)
	}

	work := gitcmd.Repo{Dir: wt}
	if err := work.Add(ctx, append(paths, fix.Other...)...); err != nil {
		return fail(err)
	}
	commit, err := work.CommitStaged(ctx, commitMessage(rep, opts.Version), opts.Author)
	if err != nil {
		var ge *gitcmd.Error
		if errors.As(err, &ge) && strings.TrimSpace(ge.Stderr) == "" {
			err = fmt.Errorf("%w (git said nothing: a commit hook may have refused the commit)", err)
		}
		return fail(err)
	}
	// Interrupted before here, the branch stays as it was; from here on,
	// the branch is moved, and either pushed or put back.
	if err := ctx.Err(); err != nil {
		return fail(err)
	}
	oldID := gitcmd.ZeroID
	if exists {
		oldID = old
	}
	if err := repo.UpdateRef(context.WithoutCancel(ctx), ref, commit, oldID); err != nil {
		return fail(err)
	}
	if opts.Remote != "" {
		if err := repo.Push(ctx, opts.Remote, ref, exists); err != nil {
			// Put the branch back as it was: a failed repository
			// leaves nothing behind.
			undo := context.WithoutCancel(ctx)
			if exists {
				err = errors.Join(err, repo.UpdateRef(undo, ref, old, commit))
			} else {
				err = errors.Join(err, repo.DeleteRef(undo, ref, commit))
			}
			return fail(err)
		}
		rep.Pushed = true
	}
	rep.Status, rep.Branch, rep.Commit = Changed, opts.Branch, commit
	return rep, fix
}

// commitMessage describes the fixes: a subject with the totals and the
// rules, and one body line per file. Paths are quoted as git quotes them,
// so that every file stays on its line whatever its name holds.
func commitMessage(rep *Repository, version string) string {
	var b strings.Builder
	rules := slices.Sorted(maps.Keys(rep.Fixes))
	fmt.Fprintf(&b, "dockmend: fix %s in %s (%s)\n\n", plural.Of(rep.FixCount(), "issue"), plural.Of(len(rep.Files), "Dockerfile"), strings.Join(rules, ", "))
	b.WriteString("Fixes applied by dockmend migrate:\n\n")
	for _, f := range rep.Files {
		fmt.Fprintf(&b, "  %s: %s\n", gitcmd.QuotePath(f.Path), fixesCell(f.Fixes))
	}
	if version != "" {
		fmt.Fprintf(&b, "\nGenerated by %s.\n", version)
	}
	return b.String()
}
