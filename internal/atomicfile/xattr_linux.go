//go:build linux

package atomicfile

import (
	"bytes"
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// copyXattrs gives f the extended attributes of the file at path: user.*
// attributes, POSIX ACLs (system.posix_acl_*), SELinux labels
// (security.selinux) and whatever else the file has. It is best effort,
// like keepOwner: an attribute the process may not set (trusted.*
// without CAP_SYS_ADMIN) or the file system does not support is left out.
func copyXattrs(f *os.File, path string) {
	names, err := listXattrs(path)
	if err != nil {
		return
	}
	for _, name := range names {
		value, err := getXattr(path, name)
		if err != nil {
			continue
		}
		_ = unix.Fsetxattr(int(f.Fd()), name, value, 0)
	}
}

// xattrRetries bounds the attempts to read a list or value that grows
// between asking for its size and reading it.
const xattrRetries = 4

func listXattrs(path string) ([]string, error) {
	for range xattrRetries {
		size, err := unix.Listxattr(path, nil)
		if err != nil || size == 0 {
			return nil, err
		}
		buf := make([]byte, size)
		n, err := unix.Listxattr(path, buf)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		var names []string
		for _, name := range bytes.Split(buf[:n], []byte{0}) {
			if len(name) > 0 {
				names = append(names, string(name))
			}
		}
		return names, nil
	}
	return nil, unix.ERANGE
}

func getXattr(path, name string) ([]byte, error) {
	for range xattrRetries {
		size, err := unix.Getxattr(path, name, nil)
		if err != nil {
			return nil, err
		}
		buf := make([]byte, size)
		n, err := unix.Getxattr(path, name, buf)
		if errors.Is(err, unix.ERANGE) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return buf[:n], nil
	}
	return nil, unix.ERANGE
}
