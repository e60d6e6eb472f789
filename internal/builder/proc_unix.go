//go:build unix

package builder

import (
	"context"
	"os/exec"
	"syscall"
	"time"
)

// gracePeriod is how long an interrupted command may take to clean up
// before it is killed.
const gracePeriod = 20 * time.Second

// runGroup runs cmd in its own process group. When ctx is done, the group
// gets SIGINT, as Ctrl-C gives it (buildah removes its build containers
// then), and SIGKILL after gracePeriod; onCancel is called first.
func runGroup(ctx context.Context, cmd *exec.Cmd, onCancel func()) error {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A helper that outlives the tool (podman's conmon) must not keep
	// Wait waiting for the output pipes.
	cmd.WaitDelay = 10 * time.Second
	if err := cmd.Start(); err != nil {
		return err
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		select {
		case <-done:
			return
		case <-ctx.Done():
		}
		onCancel()
		_ = syscall.Kill(-pgid, syscall.SIGINT)
		select {
		case <-done:
		case <-time.After(gracePeriod):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
		}
	}()
	err := cmd.Wait()
	close(done)
	<-stopped
	if ctx.Err() != nil {
		// Children that outlived the tool (a runtime's shim) go too.
		_ = syscall.Kill(-pgid, syscall.SIGKILL)
	}
	return err
}
