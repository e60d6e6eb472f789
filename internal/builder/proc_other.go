//go:build !unix

package builder

import (
	"context"
	"os/exec"
)

// runGroup runs cmd and kills it when ctx is done.
func runGroup(ctx context.Context, cmd *exec.Cmd, onCancel func()) error {
	if err := cmd.Start(); err != nil {
		return err
	}
	done := make(chan struct{})
	go func() {
		select {
		case <-done:
		case <-ctx.Done():
			onCancel()
			_ = cmd.Process.Kill()
		}
	}()
	err := cmd.Wait()
	close(done)
	return err
}
