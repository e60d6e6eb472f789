package gitcmd

import (
	"context"
	"errors"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

func TestParseIdentity(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Identity
		ok   bool
	}{
		{"Bot <bot@example.com>", Identity{"Bot", "bot@example.com"}, true},
		{"  Dock Mend  < dm@x.org >  ", Identity{"Dock Mend", "dm@x.org"}, true},
		{"A <b> <c@d>", Identity{"A <b>", "c@d"}, true},
		{"bot@example.com", Identity{}, false},
		{"<bot@example.com>", Identity{}, false},
		{"Bot <>", Identity{}, false},
		{"Bot <x@y> trailing", Identity{}, false},
	} {
		got, err := ParseIdentity(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseIdentity(%q) = %+v, %v; want %+v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestErrors(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	ctx := context.Background()
	dir := t.TempDir()
	if _, err := (Repo{Dir: dir}).TopLevel(ctx); !errors.Is(err, ErrNotRepository) {
		t.Errorf("TopLevel outside a repository: %v", err)
	}
	_, err := (Repo{Dir: dir}).Run(ctx, "no-such-command")
	var ge *Error
	if !errors.As(err, &ge) || !strings.HasPrefix(err.Error(), "git no-such-command: ") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %q", err)
	}
	if err := CheckBranchName(ctx, "dockmend/pin-apt"); err != nil {
		t.Error(err)
	}
	for _, bad := range []string{"a..b", "-x", "a b", "x.lock", ""} {
		if CheckBranchName(ctx, bad) == nil {
			t.Errorf("branch name %q accepted", bad)
		}
	}
}

func TestLocate(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	ctx := context.Background()
	dir := t.TempDir()
	r := Repo{Dir: dir, Env: []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=a", "GIT_AUTHOR_EMAIL=a@b", "GIT_COMMITTER_NAME=a", "GIT_COMMITTER_EMAIL=a@b"}}
	if _, err := r.Locate(ctx, "HEAD"); !errors.Is(err, ErrNotRepository) {
		t.Errorf("outside a repository: %v", err)
	}
	if _, err := r.Run(ctx, "init", "-q"); err != nil {
		t.Fatal(err)
	}
	if _, err := r.Locate(ctx, "HEAD"); !errors.Is(err, ErrNoRevision) {
		t.Errorf("no commits: %v", err)
	}
	if _, err := r.Run(ctx, "commit", "-q", "--allow-empty", "-m", "x"); err != nil {
		t.Fatal(err)
	}
	loc, err := r.Locate(ctx, "HEAD")
	if err != nil {
		t.Fatal(err)
	}
	head, _ := r.Run(ctx, "rev-parse", "HEAD")
	if loc.Commit != head || !strings.HasSuffix(loc.CommonDir, "/.git") || loc.Top == "" {
		t.Errorf("Locate = %+v (HEAD %s)", loc, head)
	}
	for _, bad := range []string{"nope", "--all", "HEAD~5"} {
		if _, err := r.Locate(ctx, bad); !errors.Is(err, ErrNoRevision) {
			t.Errorf("Locate(%q): %v", bad, err)
		}
	}
}

// TestRepositoryEnv: the variables removed are git's own list of those
// that locate a repository, less the three that carry settings.
func TestRepositoryEnv(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	out, err := (Repo{Dir: t.TempDir()}).Run(context.Background(), "rev-parse", "--local-env-vars")
	if err != nil {
		t.Fatal(err)
	}
	kept := []string{"GIT_CONFIG", "GIT_CONFIG_PARAMETERS", "GIT_CONFIG_COUNT"}
	for _, v := range strings.Fields(out) {
		if !slices.Contains(RepositoryEnv, v) && !slices.Contains(kept, v) {
			t.Errorf("git's local_repo_env has %s, which Run does not remove", v)
		}
	}
	env := Environ([]string{"GIT_DIR=/x", "HOME=/h", "GIT_INDEX_FILE=/i", "GIT_CONFIG_COUNT=1", "GIT_DIRECTORY=keep", "PATH=/bin"})
	if want := []string{"HOME=/h", "GIT_CONFIG_COUNT=1", "GIT_DIRECTORY=keep", "PATH=/bin"}; !slices.Equal(env, want) {
		t.Errorf("Environ = %q, want %q", env, want)
	}
}
