//go:build unix

package atomicfile

import (
	"io/fs"
	"os"
	"syscall"
)

// keepOwner gives f the owner and group of the file fi describes, when
// they differ from f's. It is best effort: only root may give a file away,
// and a failure leaves f owned by the writer, as an editor would.
func keepOwner(f *os.File, fi fs.FileInfo) {
	want, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	cur, err := f.Stat()
	if err != nil {
		return
	}
	if have, ok := cur.Sys().(*syscall.Stat_t); ok && have.Uid == want.Uid && have.Gid == want.Gid {
		return
	}
	_ = f.Chown(int(want.Uid), int(want.Gid))
}
