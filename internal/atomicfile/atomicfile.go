// Package atomicfile reads a file and later replaces its content in place,
// atomically, refusing if the file changed in between.
//
// Read records what it saw in a Stat; Write takes that Stat back, checks
// that the file still matches it, writes the new content to a temporary
// file in the same directory, checks again, and renames it over the
// original, so readers see either the old or the new content, never a
// mix. A symbolic link is written through: its target is replaced and the
// link stays a link.
//
// Replacing by rename gives the file a new inode, so other hard links to
// it keep the old content. The new file keeps the old one's permission
// bits, owner and group (where the system allows) and extended attributes
// (on Linux: user.* attributes, ACLs, SELinux labels, as far as the
// process may set them).
package atomicfile

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/dockmend/dockmend/internal/regfile"
)

// ErrChanged is returned (wrapped) by Write when the file no longer
// matches what Read saw: it was changed during the run, and is left as
// the other writer made it.
var ErrChanged = errors.New("file changed during the run (after it was read)")

// ErrTooLarge is returned (wrapped) by ReadMax for a file over its limit.
var ErrTooLarge = errors.New("file too large")

// Stat describes a file as Read saw it. The zero Stat matches no file.
type Stat struct {
	size     int64
	modTime  time.Time
	dev, ino uint64 // where the system has them; 0 otherwise
	sum      [sha256.Size]byte
	valid    bool
}

// Read returns the content of the regular file at path (following
// symbolic links) and a Stat recording its size, modification time, inode
// and content hash, for Write. Like gofmt, it fails if the size changes
// while the file is being read. It refuses anything but a regular file
// without blocking: a FIFO is never waited on.
func Read(path string) ([]byte, Stat, error) {
	return ReadMax(path, -1)
}

// ReadMax is Read for files of at most max bytes (no limit when max is
// negative): a larger file is refused, before it is read, with an error
// wrapping ErrTooLarge that names the path, its size and the limit.
func ReadMax(path string, max int64) ([]byte, Stat, error) {
	f, err := openRead(path)
	if err != nil {
		return nil, Stat{}, err // *PathError names path
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, Stat{}, err
	}
	if !fi.Mode().IsRegular() {
		return nil, Stat{}, fmt.Errorf("reading %s: not a regular file (%s)", path, regfile.Kind(fi.Mode()))
	}
	if max >= 0 && fi.Size() > max {
		return nil, Stat{}, fmt.Errorf("reading %s: %w: %d bytes, more than the limit of %d", path, ErrTooLarge, fi.Size(), max)
	}
	data, err := readSized(f, path, fi.Size())
	if err != nil {
		return nil, Stat{}, err
	}
	st := Stat{size: fi.Size(), modTime: fi.ModTime(), sum: sha256.Sum256(data), valid: true}
	st.dev, st.ino = fileID(fi)
	return data, st, nil
}

// readSized reads the whole of f, whose size was size when it was opened.
// It reads one byte more than expected, so that a file that grew is
// noticed as well as one that shrank.
func readSized(f *os.File, path string, size int64) ([]byte, error) {
	buf := make([]byte, size+1)
	n, err := io.ReadFull(f, buf)
	// EOF: nothing to read (an empty file); ErrUnexpectedEOF: less than
	// size+1 bytes, as expected.
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if int64(n) != size {
		return nil, fmt.Errorf("reading %s: size changed during reading (from %d to %d bytes)", path, size, n)
	}
	return buf[:n], nil
}

// Write replaces the content of the file at path with data, atomically.
// orig must come from Read(path); Write refuses, with an error wrapping
// ErrChanged, if the file's size, modification time, inode or content
// differs from what Read saw. A symbolic link at path is resolved and its
// final target replaced. The new file keeps the permission bits (and,
// where the system allows, the owner, group and extended attributes) of
// the one it replaces.
//
// The data is written to a temporary file beside the target and synced;
// the target is checked against orig again, immediately before the
// temporary file is renamed over it, so that an edit made while the new
// content was being written is not lost; then the directory is synced. On
// error the temporary file is removed and the target is left as it was.
func Write(path string, data []byte, orig Stat) error {
	return write(path, data, orig, nil)
}

// write is Write with a hook run just before the last check and the
// rename, for tests.
func write(path string, data []byte, orig Stat, beforeRename func(tmp string) error) (err error) {
	target, err := filepath.EvalSymlinks(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	fi, err := os.Lstat(target)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("writing %s: not a regular file (%s)", path, fi.Mode().Type())
	}
	if err := unchanged(target, fi, orig); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}

	return renameOver(path, target, data, func(tmp *os.File) error {
		keepOwner(tmp, fi) // before Chmod: changing the owner may clear set-id bits
		if err := tmp.Chmod(fi.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky)); err != nil {
			return err
		}
		copyXattrs(tmp, target) // after Chmod, which would change an ACL's mask
		return nil
	}, func(tmp string) error {
		if beforeRename != nil {
			if err := beforeRename(tmp); err != nil {
				return err
			}
		}
		// Last check: the file may have changed while the new content
		// was written and synced.
		fi, err := os.Lstat(target)
		if err != nil {
			return err
		}
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("%w (now %s)", ErrChanged, regfile.Kind(fi.Mode()))
		}
		return unchanged(target, fi, orig)
	})
}

// renameOver writes data to a temporary file beside target, lets prepare
// set its mode, syncs it, renames it over target and syncs the directory.
// On error the temporary file is removed and target is left as it was.
// Errors name path, the file as the caller knows it.
func renameOver(path, target string, data []byte, prepare func(*os.File) error, beforeRename func(tmp string) error) (err error) {
	dir := filepath.Dir(target)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(target)+".tmp*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err := tmp.Write(data); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := prepare(tmp); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Sync(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if beforeRename != nil {
		if err := beforeRename(tmp.Name()); err != nil {
			return fmt.Errorf("writing %s: %w", path, err)
		}
	}
	if err := os.Rename(tmp.Name(), target); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := syncDir(dir); err != nil {
		// The new content is in place; only its durability is in doubt.
		return fmt.Errorf("writing %s: syncing directory: %w", path, err)
	}
	return nil
}

// unchanged checks that the file at path, described by fi, still is the
// one orig describes.
func unchanged(path string, fi fs.FileInfo, orig Stat) error {
	if !orig.valid {
		return fmt.Errorf("%w (no record of reading it)", ErrChanged)
	}
	if fi.Size() != orig.size {
		return fmt.Errorf("%w (size %d, was %d)", ErrChanged, fi.Size(), orig.size)
	}
	if !fi.ModTime().Equal(orig.modTime) {
		return fmt.Errorf("%w (modified %s, was %s)", ErrChanged, fi.ModTime().Format(time.RFC3339Nano), orig.modTime.Format(time.RFC3339Nano))
	}
	if dev, ino := fileID(fi); dev != orig.dev || ino != orig.ino {
		return fmt.Errorf("%w (replaced by another file: inode %d, was %d)", ErrChanged, ino, orig.ino)
	}
	_, now, err := Read(path)
	if err != nil {
		return err
	}
	if now.sum != orig.sum {
		return fmt.Errorf("%w (content differs)", ErrChanged)
	}
	if now.size != orig.size || !now.modTime.Equal(orig.modTime) || now.dev != orig.dev || now.ino != orig.ino {
		return fmt.Errorf("%w (while it was being checked)", ErrChanged)
	}
	return nil
}

// syncDir flushes a directory entry change (the rename) to disk.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil // directories cannot be opened for syncing there
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Replace writes data to path atomically, whether or not a file is there:
// unlike Write it does not check what it replaces. An existing file keeps
// its permission bits; a new one gets perm. Like Write, it writes through
// a symbolic link: the link's final target is replaced (or made, for a
// dangling link) and the link stays. It is for files dockmend owns, such
// as lock files and reports.
func Replace(path string, data []byte, perm fs.FileMode) error {
	target, err := ResolveLinks(path)
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if fi, err := os.Stat(target); err == nil {
		if !fi.Mode().IsRegular() {
			return fmt.Errorf("writing %s: not a regular file (%s)", path, fi.Mode().Type())
		}
		perm = fi.Mode().Perm()
	}
	return renameOver(path, target, data, func(tmp *os.File) error { return tmp.Chmod(perm) }, nil)
}
