package builder

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
)

// runtimeTries bounds the tries of a build or run that the container
// runtime failed to start.
const runtimeTries = 3

// memfdBusy is what runc's nsenter (which buildah and podman carry too)
// prints when it cannot seal the copy of its own binary it runs from:
// adding F_SEAL_WRITE to a memfd fails with EBUSY while the kernel still
// holds pins on its pages, which happens when many containers start at
// once. Nothing of the build has run yet; the same command started again
// works.
const memfdBusy = "sealing memfd copy"

// transient reports whether err is a container runtime that failed to
// start for a reason that passes (memfdBusy), not the build or program.
func transient(err error) bool {
	var ee *exitError
	return errors.As(err, &ee) && strings.Contains(ee.tail, memfdBusy)
}

// retrying says in log (when there is one) that a command is tried again.
func retrying(log io.Writer) {
	if log != nil {
		fmt.Fprintf(log, "dockmend: the container runtime did not start (%s); trying again\n", memfdBusy)
	}
}

// output runs the tool and returns its standard output.
func (t *tool) output(ctx context.Context, env []string, args ...string) ([]byte, error) {
	var out bytes.Buffer
	err := t.run(ctx, env, &out, nil, args...)
	return out.Bytes(), err
}

// exitError is a command that ran and exited with a non-zero status.
type exitError struct {
	cmd  string
	code int
	tail string
}

func (e *exitError) Error() string {
	if e.tail == "" {
		return fmt.Sprintf("%s: exit status %d", e.cmd, e.code)
	}
	return fmt.Sprintf("%s: exit status %d:\n%s", e.cmd, e.code, e.tail)
}

// ExitCode returns the command's exit status.
func (e *exitError) ExitCode() int { return e.code }

// run runs the tool with args. Standard output goes to stdout (nil: the
// log), standard error to log; the last lines of both are kept for the
// error. A cancelled ctx interrupts the whole process group (as Ctrl-C
// would), then kills it if it has not stopped after a grace period.
func (t *tool) run(ctx context.Context, env []string, stdout, log io.Writer, args ...string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	cmd := exec.Command(t.path, args...)
	cmd.Env = append(append(os.Environ(), t.env...), env...)
	tail := &tailBuffer{max: 4096}
	errw := io.Writer(tail)
	if log != nil {
		errw = io.MultiWriter(log, tail)
	}
	if stdout == nil {
		stdout = errw
	}
	cmd.Stdout, cmd.Stderr = stdout, errw
	if stdout == log && log != nil {
		cmd.Stdout = errw
	}
	name := t.kind + " " + strings.Join(args, " ")
	err := runGroup(ctx, cmd, func() {
		t.mu.Lock()
		t.interrupted = true
		t.mu.Unlock()
	})
	if ctx.Err() != nil {
		return fmt.Errorf("%s: %w", name, ctx.Err())
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &exitError{cmd: name, code: ee.ExitCode(), tail: tail.String()}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

// tailBuffer keeps the last max bytes written to it, cut at a line start.
type tailBuffer struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf = append(b.buf, p...)
	if len(b.buf) > 2*b.max {
		b.buf = append([]byte{}, b.buf[len(b.buf)-b.max:]...)
	}
	return len(p), nil
}

func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	s := b.buf
	if len(s) > b.max {
		s = s[len(s)-b.max:]
		if i := bytes.IndexByte(s, '\n'); i >= 0 {
			s = s[i+1:]
		}
	}
	return strings.TrimRight(string(s), "\n")
}

// limitedBuffer keeps the first max bytes written to it.
type limitedBuffer struct {
	mu        sync.Mutex
	max       int
	buf       bytes.Buffer
	truncated bool
}

func (b *limitedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	n := len(p)
	if room := b.max - b.buf.Len(); room < len(p) {
		p = p[:max(room, 0)]
		b.truncated = true
	}
	b.buf.Write(p)
	return n, nil
}

func (b *limitedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return append([]byte{}, b.buf.Bytes()...)
}
