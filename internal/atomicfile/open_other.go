//go:build !unix

package atomicfile

import (
	"io/fs"
	"os"
)

// openRead opens path for reading.
func openRead(path string) (*os.File, error) { return os.Open(path) }

// fileID returns zeros where files have no inode numbers that os exposes.
func fileID(fs.FileInfo) (dev, ino uint64) { return 0, 0 }
