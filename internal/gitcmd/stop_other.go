//go:build !unix

package gitcmd

import "os/exec"

// setStop leaves exec's default: git is killed when the context is done.
func setStop(cmd *exec.Cmd) (done func()) {
	cmd.WaitDelay = StopGrace
	return func() {}
}
