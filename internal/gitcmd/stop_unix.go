//go:build unix

package gitcmd

import (
	"os/exec"
	"syscall"
	"time"
)

// setStop makes git a session of its own and sets how it is stopped when
// the context is done. In its own session git has no terminal: it can
// neither ask for anything there nor receive the terminal's Ctrl-C
// directly, so that dockmend decides how its git commands stop. When the
// context is done, the whole process group (git, its hooks and filters)
// gets SIGTERM; what is left after StopGrace gets SIGKILL. The returned
// function must be called once the command has finished.
func setStop(cmd *exec.Cmd) (done func()) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	var kill *time.Timer
	cmd.Cancel = func() error {
		pgid := cmd.Process.Pid
		kill = time.AfterFunc(StopGrace, func() { syscall.Kill(-pgid, syscall.SIGKILL) })
		return syscall.Kill(-pgid, syscall.SIGTERM)
	}
	cmd.WaitDelay = StopGrace
	// exec.Cmd.Wait returns after Cancel has returned, so kill is set by
	// then if it is ever set.
	return func() {
		if kill != nil {
			kill.Stop()
		}
	}
}
