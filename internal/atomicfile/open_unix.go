//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"syscall"
)

// openRead opens path for reading without blocking on a FIFO (which would
// wait for a writer) or on a device that waits to be ready: O_NONBLOCK
// makes the open return at once. Reads of a regular file ignore the flag.
func openRead(path string) (*os.File, error) {
	return os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
}

// fileID returns the device and inode numbers of the file fi describes.
func fileID(fi fs.FileInfo) (dev, ino uint64) {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Dev), uint64(st.Ino)
	}
	return 0, 0
}
