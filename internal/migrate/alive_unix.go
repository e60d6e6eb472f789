//go:build unix

package migrate

import (
	"errors"
	"syscall"
)

// processAlive reports whether a process with the id pid exists (signal 0
// checks without sending anything; EPERM means it exists but is not ours).
func processAlive(pid int) bool {
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
