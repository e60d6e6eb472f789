// This file is longer than 450 lines: it came in before issue 16's rule
// that files say why or are split by concern; split it when next changed.

// Package imagediff reads a container image saved as a docker-archive
// ("docker save") and compares two of them: the image of a Dockerfile
// before dockmend's fixes and the image after.
//
// Read flattens the layers into one file tree, keeping for every entry the
// layer that last wrote it, its type, mode, owner and, for the files asked
// for, a SHA-256 digest; it sizes each layer uncompressed and gzipped; it
// reads the package databases (dpkg, apk) to tell which files packages
// own; and it reads the ELF headers of executables and shared libraries
// and the #! line of scripts, so that their dependencies can be resolved
// inside the image without running it.
//
// Compare reports what the second image lost: configuration, files that
// the Dockerfile's own steps made, libraries and interpreters that no
// longer resolve. Differences a rewrite is expected to make (package
// caches, files of packages no longer installed) are explained rather
// than counted against it.
//
// Images are untrusted input: every read is bounded.
package imagediff

import (
	"archive/tar"
	"bufio"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// Limits on what Read accepts from an image.
const (
	maxEntries   = 4 << 20   // entries in the archive, and in the flattened tree
	maxJSON      = 16 << 20  // manifest.json and the configuration
	maxText      = 16 << 20  // one package database or account file
	maxTextTotal = 512 << 20 // all of them
	maxELF       = 64 << 20  // the part of an ELF file read for its headers
	maxShebang   = 256       // the part of a script read for its #! line
	maxLinkHops  = 40        // symbolic links followed in one lookup
)

// Image is a saved image, read.
type Image struct {
	// Config is the image's configuration file (run configuration,
	// history, layer diff ids).
	Config v1.ConfigFile
	// Layers are the image's layers, bottom first.
	Layers []Layer
	// Files is the flattened file tree, by absolute path ("/usr/bin/x").
	Files map[string]*File
	// Packages maps each installed package to its version; nil when the
	// image has no package database Read knows.
	Packages map[string]string
	// PackageManager is "dpkg", "apk", or "" for none known.
	PackageManager string
	// BaseLayers counts the first layers that are those of the base
	// image given by ReadOptions.BaseDiffIDs.
	BaseLayers int
	// CreatedBy holds the command that made each layer, from the image's
	// history ("" where the history does not tell).
	CreatedBy []string

	owner    map[string]string  // physical path -> package
	records  map[string]*record // package -> what dpkg's status file says of it
	listed   map[string]int     // package -> the layer that last wrote its dpkg file list
	md5sums  map[string]string  // physical path -> dpkg's md5sum of the package's file
	managed  map[string]bool    // physical paths dpkg's alternatives manage
	textSize int64
}

// Layer is one layer of an image.
type Layer struct {
	// DiffID is the digest of the uncompressed layer.
	DiffID string
	// Size is the size of the uncompressed layer tar.
	Size int64
	// Compressed is its size gzipped at the default level, as a push to a
	// registry stores it (or its size as saved, when saved compressed).
	Compressed int64
}

// File is one entry of the flattened file tree.
type File struct {
	// Path is the absolute, clean path.
	Path string
	// Type is the tar type: tar.TypeReg, TypeDir, TypeSymlink, TypeChar,
	// TypeBlock or TypeFifo (hard links are read as regular files).
	Type byte
	// Mode holds the permission bits, setuid, setgid and sticky.
	Mode fs.FileMode
	// UID and GID own the entry.
	UID, GID int
	// Size is a regular file's size.
	Size int64
	// Link is a symbolic link's target.
	Link string
	// Digest is the hex SHA-256 of a regular file's content, when Read
	// was asked to hash it; "" otherwise.
	Digest string
	// Layer is the index of the layer that last wrote the entry.
	Layer int
	// ELF describes an ELF executable or shared object; nil otherwise.
	ELF *ELFInfo
	// Shebang is a script's #! line without "#!", trimmed; "" otherwise.
	Shebang string

	md5  string // hex MD5, for files that dpkg may own
	text []byte // the content of a file the package databases need
}

// ELFInfo is what the dynamic loader needs of an ELF file.
type ELFInfo struct {
	// Interp is the program interpreter (PT_INTERP), "" for none.
	Interp string
	// Needed are the DT_NEEDED libraries.
	Needed []string
	// RPath and RunPath are the DT_RPATH and DT_RUNPATH directories.
	RPath, RunPath []string
	// Class and Machine select the loader's default directories.
	Class   elf.Class
	Machine elf.Machine
	// Err is why the headers could not be read, if they could not.
	Err string
}

// Regular reports whether f is a regular file.
func (f *File) Regular() bool { return f.Type == tar.TypeReg }

// Executable reports whether f is a regular file with an execute bit.
func (f *File) Executable() bool { return f.Regular() && f.Mode&0o111 != 0 }

// ReadOptions configure Read.
type ReadOptions struct {
	// BaseDiffIDs are the layers of the base image: Image.BaseLayers
	// counts how many of the image's first layers they are.
	BaseDiffIDs []string
	// Hash reports whether to compute the digest of the regular file at
	// path, written by layer, the image having baseLayers layers of its
	// base; nil hashes every regular file.
	Hash func(path string, layer, baseLayers int) bool
}

// Size is the sum of the layers' uncompressed sizes.
func (img *Image) Size() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Size
	}
	return n
}

// CompressedSize is the sum of the layers' compressed sizes.
func (img *Image) CompressedSize() int64 {
	var n int64
	for _, l := range img.Layers {
		n += l.Compressed
	}
	return n
}

// archive is an open docker-archive: the offset and size of every entry.
type archive struct {
	f       *os.File
	entries map[string]archiveEntry
}

type archiveEntry struct {
	off, size int64
	link      string // a symbolic link's target, resolved to an entry name
}

// Read reads the docker-archive at path.
func Read(path string, opts ReadOptions) (*Image, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	a, err := indexArchive(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	img, err := a.read(opts)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return img, nil
}

// positionReader tracks the offset of an *os.File as tar reads and seeks.
type positionReader struct {
	f   *os.File
	pos int64
}

func (r *positionReader) Read(p []byte) (int, error) {
	n, err := r.f.Read(p)
	r.pos += int64(n)
	return n, err
}

func (r *positionReader) Seek(off int64, whence int) (int64, error) {
	p, err := r.f.Seek(off, whence)
	if err == nil {
		r.pos = p
	}
	return p, err
}

func indexArchive(f *os.File) (*archive, error) {
	a := &archive{f: f, entries: map[string]archiveEntry{}}
	pr := &positionReader{f: f}
	tr := tar.NewReader(pr)
	links := map[string]string{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("reading the archive: %w", err)
		}
		if len(a.entries) >= maxEntries {
			return nil, errors.New("too many entries in the archive")
		}
		name := path.Clean(strings.TrimPrefix(h.Name, "./"))
		switch h.Typeflag {
		case tar.TypeReg:
			a.entries[name] = archiveEntry{off: pr.pos, size: h.Size}
		case tar.TypeSymlink:
			links[name] = path.Join(path.Dir(name), h.Linkname)
		case tar.TypeLink:
			links[name] = path.Clean(h.Linkname)
		}
	}
	for name, target := range links {
		for i := 0; i < maxLinkHops; i++ {
			if next, ok := links[target]; ok {
				target = next
				continue
			}
			break
		}
		if e, ok := a.entries[target]; ok {
			a.entries[name] = e
		}
	}
	return a, nil
}

func (a *archive) open(name string) (*io.SectionReader, error) {
	e, ok := a.entries[path.Clean(name)]
	if !ok {
		return nil, fmt.Errorf("no %s in the archive", name)
	}
	return io.NewSectionReader(a.f, e.off, e.size), nil
}

func (a *archive) readJSON(name string, v any) error {
	r, err := a.open(name)
	if err != nil {
		return err
	}
	if r.Size() > maxJSON {
		return fmt.Errorf("%s: larger than %d bytes", name, maxJSON)
	}
	if err := json.NewDecoder(r).Decode(v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

type manifestEntry struct {
	Config string   `json:"Config"`
	Layers []string `json:"Layers"`
}

func (a *archive) read(opts ReadOptions) (*Image, error) {
	var manifest []manifestEntry
	if err := a.readJSON("manifest.json", &manifest); err != nil {
		return nil, err
	}
	if len(manifest) != 1 {
		return nil, fmt.Errorf("manifest.json: %d images, want 1", len(manifest))
	}
	m := manifest[0]
	img := &Image{Files: map[string]*File{}}
	if err := a.readJSON(m.Config, &img.Config); err != nil {
		return nil, err
	}
	if n := len(img.Config.RootFS.DiffIDs); n != len(m.Layers) {
		return nil, fmt.Errorf("%d layers in manifest.json, %d in the configuration", len(m.Layers), n)
	}
	for img.BaseLayers < len(opts.BaseDiffIDs) && img.BaseLayers < len(m.Layers) &&
		img.Config.RootFS.DiffIDs[img.BaseLayers].String() == opts.BaseDiffIDs[img.BaseLayers] {
		img.BaseLayers++
	}
	for i, name := range m.Layers {
		l, err := a.readLayer(img, i, name, opts)
		if err != nil {
			return nil, fmt.Errorf("layer %d (%s): %w", i+1, name, err)
		}
		l.DiffID = img.Config.RootFS.DiffIDs[i].String()
		img.Layers = append(img.Layers, l)
	}
	img.readPackages()
	img.CreatedBy = make([]string, len(img.Layers))
	i := 0
	for _, h := range img.Config.History {
		if h.EmptyLayer {
			continue
		}
		if i < len(img.CreatedBy) {
			img.CreatedBy[i] = h.CreatedBy
		}
		i++
	}
	return img, nil
}

// counter counts the bytes written to it.
type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) { c.n += int64(len(p)); return len(p), nil }

// readLayer applies layer i, the archive entry name, to img.Files.
func (a *archive) readLayer(img *Image, i int, name string, opts ReadOptions) (Layer, error) {
	var l Layer
	sr, err := a.open(name)
	if err != nil {
		return l, err
	}
	br := bufio.NewReaderSize(sr, 1<<16)
	magic, _ := br.Peek(4)
	var r io.Reader = br
	var gz *gzip.Writer
	var finish func() error
	gzCount := &counter{}
	switch {
	case len(magic) >= 2 && magic[0] == 0x1f && magic[1] == 0x8b:
		zr, err := gzip.NewReader(br)
		if err != nil {
			return l, err
		}
		defer zr.Close()
		r, l.Compressed = zr, sr.Size()
	case len(magic) == 4 && bytes.Equal(magic, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br)
		if err != nil {
			return l, err
		}
		defer zr.Close()
		r, l.Compressed = zr, sr.Size()
	default:
		gz, _ = gzip.NewWriterLevel(gzCount, gzip.DefaultCompression)
	}
	size := &counter{}
	var sink io.Writer = size
	var gzDone chan error
	if gz != nil {
		// Compression, the slow part, runs beside the reading.
		pr, pw := io.Pipe()
		gzDone = make(chan error, 1)
		go func() {
			_, err := io.Copy(gz, pr)
			if err == nil {
				err = gz.Close()
			}
			pr.CloseWithError(err)
			gzDone <- err
		}()
		sink = io.MultiWriter(size, pw)
		defer func() {
			if gzDone != nil { // an error stopped the reading
				pw.CloseWithError(errors.New("layer not read to the end"))
				<-gzDone
			}
		}()
		finish = func() error {
			pw.Close()
			err := <-gzDone
			gzDone = nil
			return err
		}
	}
	tr := tar.NewReader(io.TeeReader(r, sink))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return l, err
		}
		if err := img.apply(tr, h, i, opts); err != nil {
			return l, err
		}
	}
	// The tar's end blocks and padding count too.
	if _, err := io.Copy(io.Discard, r); err != nil {
		return l, err
	}
	l.Size = size.n
	if finish != nil {
		if err := finish(); err != nil {
			return l, err
		}
		l.Compressed = gzCount.n
	}
	return l, nil
}

// apply adds one tar entry of layer i to the tree.
func (img *Image) apply(tr *tar.Reader, h *tar.Header, i int, opts ReadOptions) error {
	p := "/" + strings.TrimPrefix(path.Clean("/"+h.Name), "/")
	if len(p) > 4096 {
		return fmt.Errorf("path longer than 4096 bytes: %.64s...", p)
	}
	dir, base := path.Split(p)
	dir = path.Clean(dir)
	if base == ".wh..wh..opq" {
		img.removeChildren(dir, i)
		return nil
	}
	if name, ok := strings.CutPrefix(base, ".wh."); ok {
		img.remove(path.Join(dir, name))
		return nil
	}
	if p == "/" {
		return nil
	}
	if len(img.Files) >= maxEntries {
		return errors.New("too many files")
	}
	f := &File{Path: p, Type: h.Typeflag, Mode: fs.FileMode(h.Mode) & (fs.ModePerm), UID: h.Uid, GID: h.Gid, Layer: i}
	if h.Mode&0o4000 != 0 {
		f.Mode |= fs.ModeSetuid
	}
	if h.Mode&0o2000 != 0 {
		f.Mode |= fs.ModeSetgid
	}
	if h.Mode&0o1000 != 0 {
		f.Mode |= fs.ModeSticky
	}
	switch h.Typeflag {
	case tar.TypeReg, tar.TypeRegA:
		f.Type = tar.TypeReg
		f.Size = h.Size
		if err := img.readContent(f, tr, opts); err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
	case tar.TypeLink:
		target := img.Files["/"+strings.TrimPrefix(path.Clean("/"+h.Linkname), "/")]
		if target != nil && target.Regular() {
			c := *target
			c.Path, c.Mode, c.UID, c.GID, c.Layer = p, f.Mode, f.UID, f.GID, i
			f = &c
		} else {
			f.Type = tar.TypeReg
		}
	case tar.TypeSymlink:
		f.Link = h.Linkname
	case tar.TypeDir:
		if old := img.Files[p]; old != nil && old.Type != tar.TypeDir {
			img.remove(p)
		}
	case tar.TypeChar, tar.TypeBlock, tar.TypeFifo:
	default:
		return nil // extended headers and the like are not files
	}
	if old := img.Files[p]; old != nil && old.Type == tar.TypeDir && f.Type != tar.TypeDir {
		img.remove(p)
	}
	img.Files[p] = f
	return nil
}

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

// remove deletes the entry at p and, for a directory, everything below.
func (img *Image) remove(p string) {
	f := img.Files[p]
	if f == nil {
		return
	}
	delete(img.Files, p)
	if f.Type == tar.TypeDir {
		img.removeChildren(p, -1)
	}
}

// removeChildren deletes the entries below dir written before layer
// before (an opaque directory); before < 0 deletes all of them.
func (img *Image) removeChildren(dir string, before int) {
	prefix := strings.TrimSuffix(dir, "/") + "/"
	for p, f := range img.Files {
		if strings.HasPrefix(p, prefix) && (before < 0 || f.Layer < before) {
			delete(img.Files, p)
		}
	}
}
