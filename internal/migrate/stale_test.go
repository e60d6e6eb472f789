package migrate

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// deadPID returns the id of a process that has exited.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("git", "--version")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestStaleWorktrees: the temporary worktrees that an interrupted migrate
// left (a complete one after kill -9, a half-made one after git was
// stopped early) are removed when the repository is migrated again; they
// are known by the marker in their lock reason. Worktrees without it, and
// those of a migrate still running or of another host, are left alone.
func TestStaleWorktrees(t *testing.T) {
	root := t.TempDir()
	repo := newRepo(t, filepath.Join(root, "r"), map[string]string{"Dockerfile": "from x\n"})
	me := self()
	dead := owner{pid: deadPID(t), host: me.host}
	marker := func(o owner) string {
		// Spelled out, as a dockmend of an earlier version writes it.
		return fmt.Sprintf("dockmend migrate: temporary worktree of process %d on %s", o.pid, o.host)
	}
	if got := dead.lockReason(); got != marker(dead) {
		t.Fatalf("lock reason %q", got)
	}

	// After kill -9: a complete worktree in the run's temporary directory.
	tmp := filepath.Join(root, "tmp", tempPrefix+"123")
	killed := filepath.Join(tmp, "00000-r")
	git(t, repo, "worktree", "add", "-q", "--detach", "--lock", "--reason", marker(dead), killed, "HEAD")
	// Stopped early: git made the administrative directory and the lock,
	// nothing else.
	half := filepath.Join(repo, ".git", "worktrees", "00001-r")
	if err := os.MkdirAll(half, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(half, "locked"), []byte(marker(dead)), 0o644); err != nil {
		t.Fatal(err)
	}
	// Left alone: a migrate still running (the test's parent process),
	// one on another host, the user's own locked and prunable worktrees.
	alive := filepath.Join(root, "alive")
	git(t, repo, "worktree", "add", "-q", "--detach", "--lock", "--reason", marker(owner{pid: os.Getppid(), host: me.host}), alive, "HEAD")
	remote := filepath.Join(root, "remote")
	git(t, repo, "worktree", "add", "-q", "--detach", "--lock", "--reason", marker(owner{pid: dead.pid, host: "elsewhere.example"}), remote, "HEAD")
	mine := filepath.Join(root, "mine")
	git(t, repo, "worktree", "add", "-q", "--detach", "--lock", "--reason", "initializing", mine, "HEAD")
	gone := filepath.Join(root, "gone")
	git(t, repo, "worktree", "add", "-q", "--detach", gone, "HEAD")
	if err := os.RemoveAll(gone); err != nil {
		t.Fatal(err)
	}

	repos, err := Run(context.Background(), []Target{{Path: repo}}, Options{Branch: "dockmend/upper", Fix: upper, TempDir: root})
	if err != nil {
		t.Fatal(err)
	}
	r := repos[0]
	if r.Status != Changed {
		t.Fatalf("status %s: %s %v", r.Status, r.Reason, r.Errors)
	}
	list := git(t, repo, "worktree", "list", "--porcelain")
	for _, w := range []string{alive, remote, mine, gone} {
		if !strings.Contains(list, "worktree "+w+"\n") {
			t.Errorf("worktree %s was removed:\n%s", w, list)
		}
	}
	if strings.Contains(list, killed) {
		t.Errorf("the stale worktree %s is still there:\n%s", killed, list)
	}
	for _, p := range []string{killed, tmp, half} {
		if _, err := os.Lstat(p); err == nil {
			t.Errorf("%s is still there", p)
		}
	}
	if len(r.Warnings) != 2 {
		t.Fatalf("warnings %q, want 2", r.Warnings)
	}
	want := fmt.Sprintf("removed a temporary worktree that an interrupted dockmend migrate (process %d) left: ", dead.pid)
	if r.Warnings[0] != want+killed && r.Warnings[1] != want+killed {
		t.Errorf("warnings %q do not name %s", r.Warnings, killed)
	}
}

func TestParseLockReason(t *testing.T) {
	for reason, want := range map[string]bool{
		"dockmend migrate: temporary worktree of process 42 on host.example": true,
		"dockmend migrate: temporary worktree of process 42 on ":             false,
		"dockmend migrate: temporary worktree of process x on h":             false,
		"dockmend migrate: temporary worktree of process -1 on h":            false,
		"initializing": false,
		"":             false,
	} {
		if _, ok := parseLockReason(reason); ok != want {
			t.Errorf("parseLockReason(%q): %v, want %v", reason, ok, want)
		}
	}
	o := owner{pid: 7, host: "h"}
	if got, ok := parseLockReason(o.lockReason()); !ok || got != o {
		t.Errorf("round trip: %+v %v", got, ok)
	}
}
