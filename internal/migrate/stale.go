package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/dockmend/dockmend/internal/gitcmd"
)

// tempPrefix begins the name of the temporary directory that holds a
// run's worktrees.
const tempPrefix = "dockmend-migrate-"

// lockPrefix begins the lock reason of migrate's temporary worktrees:
// "dockmend migrate: temporary worktree of process PID on HOST". It is
// the marker by which a later run knows a worktree as migrate's own; git
// writes it before anything else of the worktree, and keeps it until the
// worktree is removed.
const lockPrefix = "dockmend migrate: temporary worktree of process "

// owner identifies a running migrate: its process and host.
type owner struct {
	pid  int
	host string
}

func self() owner {
	host, err := os.Hostname()
	if err != nil || host == "" {
		host = "localhost"
	}
	return owner{pid: os.Getpid(), host: host}
}

// lockReason is the marker of o's worktrees.
func (o owner) lockReason() string {
	return fmt.Sprintf("%s%d on %s", lockPrefix, o.pid, o.host)
}

// parseLockReason returns the owner a lock reason names, if it is
// migrate's marker.
func parseLockReason(reason string) (owner, bool) {
	rest, ok := strings.CutPrefix(reason, lockPrefix)
	if !ok {
		return owner{}, false
	}
	p, host, ok := strings.Cut(rest, " on ")
	pid, err := strconv.Atoi(p)
	if !ok || err != nil || pid <= 0 || host == "" {
		return owner{}, false
	}
	return owner{pid: pid, host: host}, true
}

// removeStale removes the temporary worktrees that an interrupted migrate
// left in the repository whose common git directory is commonDir: those
// locked with migrate's marker by a process of this host that no longer
// runs. Nothing else is touched: not the worktrees of a migrate still
// running (here or on another host sharing the repository), not any
// other locked or prunable worktree. It returns a note per worktree
// removed or that could not be.
func removeStale(ctx context.Context, repo gitcmd.Repo, commonDir string, me owner) []string {
	all, err := gitcmd.LinkedWorktrees(commonDir)
	if err != nil {
		return []string{fmt.Sprintf("looking for temporary worktrees that an interrupted dockmend migrate left: %v", err)}
	}
	var notes []string
	for _, w := range all {
		o, ok := parseLockReason(w.LockReason)
		if !w.Locked || !ok || o.host != me.host || o.pid == me.pid || processAlive(o.pid) {
			continue
		}
		var err error
		if w.Path != "" {
			err = repo.RemoveWorktree(ctx, commonDir, w.Path)
		} else {
			err = os.RemoveAll(w.Admin) // git stopped before recording the directory
		}
		where := w.Path
		if where == "" {
			where = w.Admin
		}
		if err != nil {
			notes = append(notes, fmt.Sprintf("could not remove a temporary worktree that an interrupted dockmend migrate (process %d) left: %s: %v", o.pid, where, err))
			continue
		}
		notes = append(notes, fmt.Sprintf("removed a temporary worktree that an interrupted dockmend migrate (process %d) left: %s", o.pid, where))
		if w.Path != "" && strings.HasPrefix(filepath.Base(filepath.Dir(w.Path)), tempPrefix) {
			os.Remove(filepath.Dir(w.Path)) // the run's temporary directory, once empty
		}
	}
	return notes
}
