package imagediff

import (
	"archive/tar"
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"strings"

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
