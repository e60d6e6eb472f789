//go:build !linux

package atomicfile

import "os"

// copyXattrs does nothing outside Linux: extended attributes are copied
// only there.
func copyXattrs(*os.File, string) {}
