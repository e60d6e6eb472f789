package gitcmd

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/regfile"
)

// AddWorktree checks commit out, detached, into a new worktree at dir.
// A lockReason other than "" locks the worktree from the moment git
// creates it, with that reason: git then never prunes it, and the reason
// says whose it is (see LinkedWorktrees). If ctx is done meanwhile, git
// is stopped and removes what it made of the worktree.
func (r Repo) AddWorktree(ctx context.Context, dir, commit, lockReason string) error {
	args := []string{"worktree", "add", "--detach", "--quiet"}
	if lockReason != "" {
		args = append(args, "--lock", "--reason", lockReason)
	}
	_, err := r.Run(ctx, append(args, "--", dir, commit)...)
	return err
}

// LinkedWorktree is a linked worktree as its administrative directory
// (in the common git directory, worktrees/NAME) describes it. An
// interrupted "git worktree add" may leave one that git does not list.
type LinkedWorktree struct {
	// Admin is the administrative directory.
	Admin string
	// Path is the worktree's directory, or "" when git did not record it
	// (it was stopped before).
	Path string
	// Locked reports whether the worktree is locked, and LockReason is
	// the reason given ("initializing" while git creates it).
	Locked     bool
	LockReason string
}

// LinkedWorktrees lists the linked worktrees of the repository whose
// common git directory is commonDir, from their administrative
// directories.
func LinkedWorktrees(commonDir string) ([]LinkedWorktree, error) {
	base := filepath.Join(commonDir, "worktrees")
	entries, err := os.ReadDir(base)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []LinkedWorktree
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		w := LinkedWorktree{Admin: filepath.Join(base, e.Name())}
		if data, err := regfile.Read(filepath.Join(w.Admin, "gitdir"), maxAdminFile); err == nil {
			// gitdir names the worktree's .git file.
			if p := strings.TrimSpace(string(data)); p != "" {
				w.Path = filepath.Dir(p)
			}
		}
		data, err := regfile.Read(filepath.Join(w.Admin, "locked"), maxAdminFile)
		switch {
		case err == nil:
			w.Locked, w.LockReason = true, strings.TrimSpace(string(data))
		case !errors.Is(err, fs.ErrNotExist):
			w.Locked = true // there is something: do not take it as unlocked
		}
		out = append(out, w)
	}
	return out, nil
}

// RemoveWorktree removes the linked worktree at dir, changes, lock and
// all: its directory and its administrative files. When git no longer
// knows it as a worktree (its "git worktree add" was stopped half-way),
// the administrative directory in commonDir that names dir is removed
// instead; no other worktree is touched (no "git worktree prune").
func (r Repo) RemoveWorktree(ctx context.Context, commonDir, dir string) error {
	_, err := r.Run(ctx, "worktree", "remove", "--force", "--force", "--", dir)
	if err == nil {
		return nil
	}
	all, lerr := LinkedWorktrees(commonDir)
	if lerr != nil {
		return errors.Join(err, lerr)
	}
	found := false
	for _, w := range all {
		if w.Path == "" || !samePath(w.Path, dir) {
			continue
		}
		found = true
		if rerr := os.RemoveAll(w.Admin); rerr != nil {
			return errors.Join(err, rerr)
		}
	}
	if _, serr := os.Lstat(dir); errors.Is(serr, fs.ErrNotExist) {
		return nil // gone, directory and administrative files
	}
	if found {
		// git no longer knows the directory as a worktree: it is only a
		// directory now, which the caller made.
		return os.RemoveAll(dir)
	}
	return err
}

// samePath reports whether a and b name the same directory: git records
// worktree paths with symbolic links resolved.
func samePath(a, b string) bool {
	if filepath.Clean(a) == filepath.Clean(b) {
		return true
	}
	ra, err1 := resolveDir(a)
	rb, err2 := resolveDir(b)
	return err1 == nil && err2 == nil && ra == rb
}

// resolveDir resolves the symbolic links of dir, or of its parent when dir
// itself is gone.
func resolveDir(dir string) (string, error) {
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		return r, nil
	}
	parent, err := filepath.EvalSymlinks(filepath.Dir(dir))
	if err != nil {
		return "", err
	}
	return filepath.Join(parent, filepath.Base(dir)), nil
}
