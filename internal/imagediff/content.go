package imagediff

import (
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"hash"
	"io"
	"path"
	"strings"
)

// readContent hashes a regular file and keeps what the checks need of it.
func (img *Image) readContent(f *File, r io.Reader, opts ReadOptions) error {
	wantHash := opts.Hash == nil || opts.Hash(f.Path, f.Layer, img.BaseLayers)
	keepText := packageText(f.Path) && img.textSize+f.Size <= maxTextTotal && f.Size <= maxText
	// Shared objects are read up to maxELF for their headers (another
	// file's libraries may be among them), and so are the executables
	// that are hashed (the files compared); scripts for their #! line.
	var head []byte
	headMax := int64(0)
	if sharedObject(f.Path) || (wantHash && f.Mode&0o111 != 0) {
		headMax = min(f.Size, maxELF)
	}
	if keepText {
		headMax = f.Size
	}
	var sha, sum hash.Hash
	var ws []io.Writer
	if wantHash {
		sha = sha256.New()
		// dpkg records MD5 sums: they tell a package's file from one
		// that a step changed.
		sum = md5.New()
		ws = append(ws, sha, sum)
	}
	if headMax > 0 {
		buf := make([]byte, headMax)
		n, err := io.ReadFull(r, buf)
		if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
			return err
		}
		head = buf[:n]
		for _, w := range ws {
			w.Write(head)
		}
	}
	if len(ws) > 0 {
		if _, err := io.Copy(io.MultiWriter(ws...), r); err != nil {
			return err
		}
	}
	if sha != nil {
		f.Digest = hex.EncodeToString(sha.Sum(nil))
	}
	if sum != nil {
		f.md5 = hex.EncodeToString(sum.Sum(nil))
	}
	if keepText {
		f.text = append([]byte{}, head...)
		img.textSize += int64(len(head))
	}
	switch {
	case bytes.HasPrefix(head, []byte("\x7fELF")):
		f.ELF = readELF(head)
	case bytes.HasPrefix(head, []byte("#!")) && f.Mode&0o111 != 0:
		line := head[2:]
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		f.Shebang = strings.TrimSpace(string(line))
	}
	return nil
}

// sharedObject reports whether name looks like a shared library.
func sharedObject(name string) bool {
	b := path.Base(name)
	return strings.HasSuffix(b, ".so") || strings.Contains(b, ".so.")
}

// packageText reports whether the file at p is one whose content the
// package and account checks read.
func packageText(p string) bool {
	switch p {
	case "/var/lib/dpkg/status", "/lib/apk/db/installed", "/usr/lib/apk/db/installed",
		"/etc/passwd", "/etc/group", "/etc/ld.so.conf":
		return true
	}
	dir, base := path.Split(p)
	switch path.Clean(dir) {
	case "/var/lib/dpkg/info":
		return strings.HasSuffix(base, ".list") || strings.HasSuffix(base, ".md5sums")
	case "/var/lib/dpkg/alternatives", "/etc/ld.so.conf.d":
		return true
	case "/etc":
		return strings.HasPrefix(base, "ld-musl-") && strings.HasSuffix(base, ".path")
	}
	return false
}

// readELF reads the dynamic-linking headers of an ELF file from its
// first bytes.
func readELF(data []byte) *ELFInfo {
	info := &ELFInfo{}
	ef, err := elf.NewFile(bytes.NewReader(data))
	if err != nil {
		info.Err = err.Error()
		return info
	}
	defer ef.Close()
	info.Class, info.Machine = ef.Class, ef.Machine
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			b, err := io.ReadAll(io.LimitReader(p.Open(), 4096))
			if err == nil {
				info.Interp = strings.TrimRight(string(b), "\x00")
			}
		}
	}
	if ef.Section(".dynamic") == nil && !hasDynamic(ef) {
		return info // static
	}
	if info.Needed, err = ef.ImportedLibraries(); err != nil {
		info.Err = err.Error()
		return info
	}
	for _, tag := range []elf.DynTag{elf.DT_RPATH, elf.DT_RUNPATH} {
		vals, err := ef.DynString(tag)
		if err != nil {
			continue
		}
		var dirs []string
		for _, v := range vals {
			dirs = append(dirs, strings.Split(v, ":")...)
		}
		if tag == elf.DT_RPATH {
			info.RPath = dirs
		} else {
			info.RunPath = dirs
		}
	}
	return info
}

func hasDynamic(ef *elf.File) bool {
	for _, p := range ef.Progs {
		if p.Type == elf.PT_DYNAMIC {
			return true
		}
	}
	return false
}
