// Package gitcmd runs the git command line on one repository. It is the
// small set of plumbing and porcelain commands that dockmend migrate
// needs: resolving commits, temporary worktrees, committing, moving and
// pushing branches. Every error names the git command and carries git's
// own message.
//
// The real git is used on purpose: hooks, configured identities,
// credential helpers and remotes behave exactly as they do for the user.
package gitcmd

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// ZeroID is the object id git uses for "no object" in ref updates.
const ZeroID = "0000000000000000000000000000000000000000"

// StopGrace is how long git and the processes it started have, once the
// context is done and they were asked to stop, before they are killed.
const StopGrace = 10 * time.Second

// Repo is a git repository, addressed by a directory inside its work tree
// (or a worktree of it).
type Repo struct {
	// Dir is where git runs.
	Dir string
	// Env is added to the environment of every git command (KEY=value).
	Env []string
}

// Error is a failed git command.
type Error struct {
	Args   []string
	Stderr string
	Err    error
}

// Error returns "git ARGS: MESSAGE", with git's message from standard
// error when there is one.
func (e *Error) Error() string {
	msg := strings.TrimSpace(e.Stderr)
	if msg == "" {
		msg = e.Err.Error()
	}
	var lines []string
	for _, l := range strings.Split(msg, "\n") {
		if l = strings.TrimSpace(strings.TrimPrefix(l, "fatal: ")); l != "" {
			lines = append(lines, l)
		}
	}
	msg = strings.Join(lines, "; ")
	return fmt.Sprintf("git %s: %s", strings.Join(e.Args, " "), msg)
}

// Unwrap returns the process error.
func (e *Error) Unwrap() error { return e.Err }

// Run runs git with args in the repository and returns its standard
// output without the trailing newline.
func (r Repo) Run(ctx context.Context, args ...string) (string, error) {
	return r.RunInput(ctx, nil, args...)
}

// RunInput is Run with standard input.
//
// git runs in Dir with the environment of this process, less the
// variables that would make it use another repository (RepositoryEnv),
// plus Env. When ctx is done, git and the processes it started (hooks,
// filters) are asked to stop with SIGTERM, on which git removes its lock
// files and half-made worktrees; those still running after StopGrace are
// killed.
func (r Repo) RunInput(ctx context.Context, stdin []byte, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = r.Dir
	// Never ask a terminal for credentials or an editor: a fleet run
	// must not hang on one repository.
	cmd.Env = append(Environ(os.Environ()), "GIT_TERMINAL_PROMPT=0", "GIT_EDITOR=true", "LC_ALL=C")
	cmd.Env = append(cmd.Env, r.Env...)
	stopTimer := setStop(cmd)
	defer stopTimer()
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		return "", &Error{Args: args, Stderr: stderr.String(), Err: err}
	}
	return strings.TrimRight(stdout.String(), "\n"), nil
}

// RepositoryEnv are the environment variables that tell git which
// repository, work tree, index or object store to use, or which part of
// it to see. A git hook runs with some of them set for its own
// repository; dockmend, run from one, must not let them steer the git
// commands it runs in other repositories, so Run removes them.
//
// The list is git's own local_repo_env (what git clears when it moves to
// another repository, "git rev-parse --local-env-vars"), less the three
// that carry settings rather than a location (GIT_CONFIG,
// GIT_CONFIG_PARAMETERS, GIT_CONFIG_COUNT: "git -c" and a CI job's
// settings, such as safe.directory, keep applying), plus GIT_NAMESPACE
// and GIT_QUARANTINE_PATH, which receive-pack sets for its hooks.
// GIT_CEILING_DIRECTORIES and GIT_DISCOVERY_ACROSS_FILESYSTEM are kept:
// they only limit the search for a repository, as the user asked.
var RepositoryEnv = []string{
	"GIT_ALTERNATE_OBJECT_DIRECTORIES",
	"GIT_COMMON_DIR",
	"GIT_DIR",
	"GIT_GRAFT_FILE",
	"GIT_IMPLICIT_WORK_TREE",
	"GIT_INDEX_FILE",
	"GIT_INTERNAL_SUPER_PREFIX",
	"GIT_NAMESPACE",
	"GIT_NO_REPLACE_OBJECTS",
	"GIT_OBJECT_DIRECTORY",
	"GIT_PREFIX",
	"GIT_QUARANTINE_PATH",
	"GIT_REPLACE_REF_BASE",
	"GIT_SHALLOW_FILE",
	"GIT_WORK_TREE",
}

// Environ returns env (KEY=value entries) without the RepositoryEnv
// variables.
func Environ(env []string) []string {
	out := make([]string, 0, len(env))
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !slices.Contains(RepositoryEnv, k) {
			out = append(out, kv)
		}
	}
	return out
}

// ErrNotRepository is returned by TopLevel for a directory outside any
// git work tree.
var ErrNotRepository = errors.New("not a git repository")

// TopLevel returns the top directory of the work tree that holds Dir.
func (r Repo) TopLevel(ctx context.Context) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--show-toplevel")
	if err != nil {
		var ge *Error
		if errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository") {
			return "", ErrNotRepository
		}
		return "", err
	}
	if out == "" { // a bare repository or the inside of .git
		return "", ErrNotRepository
	}
	return out, nil
}

// Location is where a repository is, and the commit a revision names in
// it.
type Location struct {
	// Top is the top directory of the work tree.
	Top string
	// CommonDir is the absolute path of the git directory that all the
	// repository's worktrees share (and with it their branches).
	CommonDir string
	// Commit is the commit id of the revision asked for.
	Commit string
}

// ErrNoRevision is returned (wrapped) by Locate when the revision does
// not name a commit.
var ErrNoRevision = errors.New("not a commit")

// Locate finds the repository that holds Dir and resolves rev in it, with
// one git command.
func (r Repo) Locate(ctx context.Context, rev string) (Location, error) {
	if strings.HasPrefix(rev, "-") {
		return Location{}, fmt.Errorf("%s: %w", rev, ErrNoRevision)
	}
	out, err := r.Run(ctx, "rev-parse", "--path-format=absolute", "--show-toplevel", "--git-common-dir", rev+"^{commit}")
	var ge *Error
	switch {
	case errors.As(err, &ge) && strings.Contains(ge.Stderr, "not a git repository"):
		return Location{}, ErrNotRepository
	case errors.As(err, &ge) && (strings.Contains(ge.Stderr, "unknown revision") || strings.Contains(ge.Stderr, "bad revision") || strings.Contains(ge.Stderr, "ambiguous argument")):
		return Location{}, fmt.Errorf("%s: %w", rev, ErrNoRevision)
	case err != nil:
		return Location{}, err
	}
	lines := strings.Split(out, "\n")
	if len(lines) != 3 || lines[0] == "" {
		// A bare repository, or the inside of .git: no work tree.
		return Location{}, ErrNotRepository
	}
	return Location{Top: lines[0], CommonDir: lines[1], Commit: lines[2]}, nil
}

// Commit resolves rev to a commit id.
func (r Repo) Commit(ctx context.Context, rev string) (string, error) {
	out, err := r.Run(ctx, "rev-parse", "--verify", "--quiet", "--end-of-options", rev+"^{commit}")
	if err != nil {
		return "", fmt.Errorf("%s is not a commit", rev)
	}
	return out, nil
}

// Ref returns the object id a full ref name points at, and whether the
// ref exists.
func (r Repo) Ref(ctx context.Context, ref string) (string, bool, error) {
	out, err := r.Run(ctx, "for-each-ref", "--format=%(objectname)", ref)
	if err != nil {
		return "", false, err
	}
	for _, line := range strings.Split(out, "\n") {
		if line != "" {
			return line, true, nil
		}
	}
	return "", false, nil
}

// CheckedOutIn returns the path of a worktree that has branch (a full ref
// name) checked out, or "".
func (r Repo) CheckedOutIn(ctx context.Context, branch string) (string, error) {
	out, err := r.Run(ctx, "worktree", "list", "--porcelain")
	if err != nil {
		return "", err
	}
	var path string
	for _, line := range strings.Split(out, "\n") {
		if p, ok := strings.CutPrefix(line, "worktree "); ok {
			path = p
		}
		if b, ok := strings.CutPrefix(line, "branch "); ok && b == branch {
			return path, nil
		}
	}
	return "", nil
}

// maxAdminFile bounds the administrative files LinkedWorktrees reads.
const maxAdminFile = 64 << 10

// Add stages paths (relative to Dir).
func (r Repo) Add(ctx context.Context, paths ...string) error {
	_, err := r.Run(ctx, append([]string{"add", "--"}, paths...)...)
	return err
}

// Identity is a commit's author and committer, "Name <email>".
type Identity struct {
	Name, Email string
}

// ParseIdentity parses "Name <email>".
func ParseIdentity(s string) (Identity, error) {
	s = strings.TrimSpace(s)
	i, j := strings.LastIndexByte(s, '<'), strings.LastIndexByte(s, '>')
	if i < 0 || j != len(s)-1 || j < i {
		return Identity{}, fmt.Errorf("%q: want \"Name <email>\"", s)
	}
	id := Identity{Name: strings.TrimSpace(s[:i]), Email: strings.TrimSpace(s[i+1 : j])}
	if id.Name == "" || id.Email == "" {
		return Identity{}, fmt.Errorf("%q: want \"Name <email>\"", s)
	}
	return id, nil
}

// CommitStaged commits the index with message; hooks run as for any
// commit. A non-nil id sets author and committer, otherwise the
// repository's configuration decides. It returns the new commit's id.
func (r Repo) CommitStaged(ctx context.Context, message string, id *Identity) (string, error) {
	rr := r
	if id != nil {
		rr.Env = append(append([]string{}, r.Env...),
			"GIT_AUTHOR_NAME="+id.Name, "GIT_AUTHOR_EMAIL="+id.Email,
			"GIT_COMMITTER_NAME="+id.Name, "GIT_COMMITTER_EMAIL="+id.Email)
	}
	if _, err := rr.RunInput(ctx, []byte(message), "commit", "--quiet", "--file=-"); err != nil {
		return "", err
	}
	return r.Commit(ctx, "HEAD")
}

// UpdateRef points ref at newID if it still points at oldID (ZeroID: if
// it does not exist).
func (r Repo) UpdateRef(ctx context.Context, ref, newID, oldID string) error {
	_, err := r.Run(ctx, "update-ref", "-m", "dockmend migrate", ref, newID, oldID)
	return err
}

// DeleteRef deletes ref if it still points at oldID.
func (r Repo) DeleteRef(ctx context.Context, ref, oldID string) error {
	_, err := r.Run(ctx, "update-ref", "-d", ref, oldID)
	return err
}

// Push pushes ref to the same name on remote; force replaces what the
// remote has.
func (r Repo) Push(ctx context.Context, remote, ref string, force bool) error {
	args := []string{"push", "--quiet", "--porcelain"}
	if force {
		args = append(args, "--force")
	}
	_, err := r.Run(ctx, append(args, remote, ref+":"+ref)...)
	return err
}

// CheckBranchName reports whether name is a valid branch name, as git
// check-ref-format --branch decides.
func CheckBranchName(ctx context.Context, name string) error {
	if _, err := (Repo{Dir: os.TempDir()}).Run(ctx, "check-ref-format", "--branch", name); err != nil {
		return fmt.Errorf("branch name %q is not valid in git", name)
	}
	return nil
}
