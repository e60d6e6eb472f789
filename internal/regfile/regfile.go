// Package regfile reads files that dockmend takes as input besides
// Dockerfiles (configuration files, lock files, reports), which may come
// from someone else: a repository being migrated, a pull request. It reads
// only regular files, and only up to a size limit, so that a symbolic link
// to /dev/zero cannot exhaust memory and a FIFO cannot block a run.
//
// The file is examined with stat before it is opened, so a device is never
// opened (opening some has side effects), and it is opened without
// blocking (O_NONBLOCK) and examined again, so one swapped in between
// cannot block or grow the read either.
package regfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"syscall"
)

// ErrNotRegular is wrapped by the error Read returns for a path that is not
// a regular file: a directory, a FIFO, a device, a socket.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is wrapped by the error Read returns for a file larger than
// the limit.
var ErrTooLarge = errors.New("file too large")

// Read returns the content of the regular file at path, following symbolic
// links, when it is at most limit bytes. A missing file is an error that
// satisfies errors.Is(err, fs.ErrNotExist). Errors name path: those of
// the system are *fs.PathError values, the others *Error.
func Read(path string, limit int64) ([]byte, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := check(path, fi, limit); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	ofi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if err := check(path, ofi, limit); err != nil {
		return nil, err
	}
	// Read one byte more than the limit: a file that grew past it since
	// the stat is noticed.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: path, Err: err}
	}
	if int64(len(data)) > limit {
		return nil, &Error{Path: path, Err: tooLarge(limit)}
	}
	return data, nil
}

// Error is a file that Read refuses: "PATH: not a regular file (a FIFO)".
type Error struct {
	Path string
	Err  error // wraps ErrNotRegular or ErrTooLarge
}

func (e *Error) Error() string { return e.Path + ": " + e.Err.Error() }

// Unwrap returns the reason.
func (e *Error) Unwrap() error { return e.Err }

func check(path string, fi fs.FileInfo, limit int64) error {
	if !fi.Mode().IsRegular() {
		return &Error{Path: path, Err: fmt.Errorf("%w (%s)", ErrNotRegular, Kind(fi.Mode()))}
	}
	if fi.Size() > limit {
		return &Error{Path: path, Err: tooLarge(limit)}
	}
	return nil
}

func tooLarge(limit int64) error {
	return fmt.Errorf("%w: larger than %s", ErrTooLarge, Size(limit))
}

// Kind names the type of a file for messages: "a regular file", "a
// directory", "a symbolic link", "a FIFO", "a socket", "a character
// device", "a block device".
func Kind(m fs.FileMode) string {
	switch {
	case m.IsRegular():
		return "a regular file"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a block device"
	}
	return "a special file (" + m.Type().String() + ")"
}

// Size formats a byte count for messages: "1 MiB", "512 KiB", "300 bytes".
func Size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
