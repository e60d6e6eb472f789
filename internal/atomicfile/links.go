package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// maxLinks bounds the symbolic links ResolveLinks follows, as the
// kernel's ELOOP limit bounds them for open.
const maxLinks = 255

// ResolveLinks returns the absolute path that path names once every
// symbolic link in it is followed, as filepath.EvalSymlinks does, except
// that the file need not exist: a dangling link resolves to its target,
// and the components from the first missing one on are kept as they are.
// It is where a write to path would land.
func ResolveLinks(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	vol := filepath.VolumeName(abs)
	root := vol + string(filepath.Separator)
	resolved := root
	rest := split(abs[len(vol):])
	links := 0
	for len(rest) > 0 {
		c := rest[0]
		rest = rest[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Dir(resolved)
			continue
		}
		next := filepath.Join(resolved, c)
		fi, err := os.Lstat(next)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return filepath.Join(append([]string{next}, rest...)...), nil
		case err != nil:
			return "", err
		case fi.Mode()&fs.ModeSymlink == 0:
			resolved = next
			continue
		}
		if links++; links > maxLinks {
			return "", &fs.PathError{Op: "resolve", Path: path, Err: syscall.ELOOP}
		}
		target, err := os.Readlink(next)
		if err != nil {
			return "", err
		}
		if filepath.IsAbs(target) {
			v := filepath.VolumeName(target)
			resolved = v + string(filepath.Separator)
			target = target[len(v):]
		}
		rest = append(split(target), rest...)
	}
	return resolved, nil
}

func split(p string) []string {
	return strings.FieldsFunc(p, func(r rune) bool { return os.IsPathSeparator(uint8(r)) })
}

// Within reports whether path, with its symbolic links followed as
// ResolveLinks does, lies in the directory dir (its links followed too)
// or is dir. It returns the resolved path: relative to the resolved dir
// when it is within, absolute otherwise.
func Within(dir, path string) (rel string, ok bool, err error) {
	realDir, err := ResolveLinks(dir)
	if err != nil {
		return "", false, err
	}
	real, err := ResolveLinks(path)
	if err != nil {
		return "", false, err
	}
	rel, err = filepath.Rel(realDir, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return real, false, nil
	}
	return rel, true, nil
}
