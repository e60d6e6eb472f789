package pkgdb

import (
	"archive/tar"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/klauspost/compress/zstd"
)

// Layer is one layer blob of an image, as its manifest lists it.
type Layer struct {
	// Digest names the blob, for messages.
	Digest string
	// MediaType is the manifest's media type of the blob; gzip, zstd and
	// uncompressed tar are read (the content is sniffed when the type
	// does not say).
	MediaType string
	// Size is the blob's size from the manifest.
	Size int64
	// Open streams the blob as stored (compressed).
	Open func(ctx context.Context) (io.ReadCloser, error)
}

// Options bound a Scan.
type Options struct {
	// MaxBytes is the most compressed bytes read from all layers of one
	// image together (default DefaultMaxBytes); decompressed tar data is
	// bounded to 8 times that. Past it Scan gives up with a reason.
	MaxBytes int64
	// MaxFile bounds one file read from a layer (default 64 MiB).
	MaxFile int64
}

// DefaultMaxBytes is the default of Options.MaxBytes: 512 MiB.
const DefaultMaxBytes = 512 << 20

// Result is what Scan found.
type Result struct {
	// Kind is the database found; "" when none.
	Kind Kind `json:"kind,omitempty"`
	// Paths are the files the packages were read from.
	Paths []string `json:"paths,omitempty"`
	// Packages are the installed packages, sorted by name.
	Packages []Package `json:"packages,omitempty"`
	// OS is the os-release found, nil when none.
	OS *OSRelease `json:"os,omitempty"`
	// LayersRead counts the layers opened, from the top.
	LayersRead int `json:"layers_read"`
	// BytesRead counts the compressed bytes read.
	BytesRead int64 `json:"bytes_read"`
	// Incomplete, when not empty, says why the scan stopped before it
	// could be sure of what it found (it gave up at the byte limit, a
	// layer could not be read); what was found is still returned.
	Incomplete string `json:"incomplete,omitempty"`
}

const (
	dpkgStatus = "var/lib/dpkg/status"
	dpkgDir    = "var/lib/dpkg/status.d"
	apkDB      = "lib/apk/db/installed"
	etcOS      = "etc/os-release"
	usrOS      = "usr/lib/os-release"
)

// ErrLimit is wrapped by the Incomplete reason when the byte limit was hit.
var ErrLimit = errors.New("read limit reached")

// scanner holds what the layers above the current one decided.
type scanner struct {
	opts                                Options
	deleted                             map[string]bool // paths whited out by an upper layer
	opaque                              map[string]bool // directories made opaque by an upper layer
	status                              []byte          // the topmost var/lib/dpkg/status
	statusD                             map[string][]byte
	apk                                 []byte
	osRelease                           []byte
	osLink                              string // etc/os-release is a symlink to this path
	statusSet, apkSet, osSet, dirClosed bool
	compressed, raw                     int64
}

// Scan reads the package database and os-release of the image whose
// layers are given in manifest order (base first). It reads layers from
// the top until it has both, or a lower layer cannot change the answer.
// Errors reading a layer, and the byte limit, end the scan early with
// Result.Incomplete set; Scan returns an error only for ctx's end or a
// database that does not parse.
func Scan(ctx context.Context, layers []Layer, opts Options) (Result, error) {
	if opts.MaxBytes <= 0 {
		opts.MaxBytes = DefaultMaxBytes
	}
	if opts.MaxFile <= 0 {
		opts.MaxFile = 64 << 20
	}
	s := &scanner{opts: opts, deleted: map[string]bool{}, opaque: map[string]bool{}, statusD: map[string][]byte{}}
	var res Result
	for i := len(layers) - 1; i >= 0 && !s.done(); i-- {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		res.LayersRead++
		err := s.layer(ctx, layers[i])
		res.BytesRead = s.compressed
		if err != nil {
			if ctx.Err() != nil {
				return res, ctx.Err()
			}
			res.Incomplete = fmt.Sprintf("layer %d of %d (%s): %v", i+1, len(layers), short(layers[i].Digest), err)
			break
		}
	}
	if err := s.finish(&res); err != nil {
		return res, err
	}
	return res, nil
}

// done reports whether lower layers cannot change the answer.
func (s *scanner) done() bool {
	db := s.statusSet || s.apkSet
	return db && s.osSet && (s.dirClosed || len(s.statusD) == 0)
}

func short(d string) string {
	if len(d) > 19 {
		return d[:19]
	}
	return d
}

// visible reports whether p, in the layer being read, is not hidden by a
// whiteout or an opaque directory of a layer above.
func (s *scanner) visible(p string) bool {
	for q := p; q != "." && q != "/" && q != ""; q = path.Dir(q) {
		if s.deleted[q] {
			return false
		}
		if q != p && s.opaque[q] {
			return false
		}
	}
	return true
}

// countingReader counts bytes and stops past a limit.
type countingReader struct {
	r     io.Reader
	n     *int64
	limit int64
	what  string
}

func (c *countingReader) Read(p []byte) (int, error) {
	if *c.n >= c.limit {
		return 0, fmt.Errorf("%w: gave up after %s of %s data", ErrLimit, human(*c.n), c.what)
	}
	if rem := c.limit - *c.n; int64(len(p)) > rem {
		p = p[:rem]
	}
	n, err := c.r.Read(p)
	*c.n += int64(n)
	return n, err
}

func human(n int64) string {
	return fmt.Sprintf("%.1f MB", float64(n)/1e6)
}

// layer reads one layer's tar stream.
func (s *scanner) layer(ctx context.Context, l Layer) error {
	rc, err := l.Open(ctx)
	if err != nil {
		return err
	}
	defer rc.Close()
	br := bufio.NewReaderSize(&countingReader{r: rc, n: &s.compressed, limit: s.opts.MaxBytes, what: "compressed layer"}, 64<<10)
	tr, closeDec, err := decompress(br, l.MediaType)
	if err != nil {
		return err
	}
	defer closeDec()
	t := tar.NewReader(&countingReader{r: tr, n: &s.raw, limit: 8 * s.opts.MaxBytes, what: "uncompressed layer"})
	// Whiteouts apply to the layers below this one only.
	deleted, opaque := map[string]bool{}, map[string]bool{}
	var statusD map[string][]byte
	for {
		h, err := t.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return err
		}
		name := path.Clean(strings.TrimPrefix(strings.TrimPrefix(h.Name, "./"), "/"))
		dir, base := path.Split(name)
		dir = strings.TrimSuffix(dir, "/")
		if base == ".wh..wh..opq" {
			opaque[dir] = true
			continue
		}
		if wh, ok := strings.CutPrefix(base, ".wh."); ok {
			deleted[path.Join(dir, wh)] = true
			continue
		}
		if !s.visible(name) {
			continue
		}
		switch {
		case name == dpkgStatus && !s.statusSet:
			if s.status, err = s.read(t, h, name); err != nil {
				return err
			}
		case dir == dpkgDir && !s.dirClosed && h.Typeflag == tar.TypeReg:
			if _, seen := s.statusD[base]; seen {
				continue
			}
			data, err := s.read(t, h, name)
			if err != nil {
				return err
			}
			if statusD == nil {
				statusD = map[string][]byte{}
			}
			statusD[base] = data
		case name == apkDB && !s.apkSet:
			if s.apk, err = s.read(t, h, name); err != nil {
				return err
			}
		case (name == etcOS || name == usrOS) && !s.osSet:
			if name == etcOS && s.osLink != "" {
				continue // an upper layer's symbolic link shadows it
			}
			if name == etcOS && h.Typeflag == tar.TypeSymlink {
				target := h.Linkname
				if !path.IsAbs(target) {
					target = path.Join("etc", target)
				}
				s.osLink = strings.TrimPrefix(path.Clean(target), "/")
				continue
			}
			if name == usrOS && s.osLink != "" && s.osLink != usrOS {
				continue
			}
			if name == usrOS && s.osLink == "" && s.osRelease != nil {
				continue // a regular etc/os-release in this layer wins
			}
			data, err := s.read(t, h, name)
			if err != nil {
				return err
			}
			s.osRelease = data
		}
	}
	// Done with the layer: what it had is the topmost version.
	if s.status != nil {
		s.statusSet = true
	}
	if s.apk != nil {
		s.apkSet = true
	}
	if s.osRelease != nil {
		s.osSet = true
	}
	for k, v := range statusD {
		s.statusD[k] = v
	}
	for p := range deleted {
		s.deleted[p] = true
	}
	for p := range opaque {
		s.opaque[p] = true
	}
	if s.deleted[dpkgStatus] || s.deleted["var/lib/dpkg"] || s.opaque["var/lib/dpkg"] {
		s.statusSet = true // deleted: nothing below counts
	}
	if s.opaque[dpkgDir] || s.deleted[dpkgDir] || s.deleted["var/lib/dpkg"] || s.opaque["var/lib/dpkg"] {
		s.dirClosed = true
	}
	if s.deleted[apkDB] {
		s.apkSet = true
	}
	return nil
}

// read reads the regular file at the tar reader's current entry.
func (s *scanner) read(t io.Reader, h *tar.Header, name string) ([]byte, error) {
	if h.Typeflag != tar.TypeReg {
		return nil, fmt.Errorf("%s is not a regular file (tar type %q)", name, h.Typeflag)
	}
	if h.Size > s.opts.MaxFile {
		return nil, fmt.Errorf("%s is %d bytes, more than the %d bytes dockmend reads", name, h.Size, s.opts.MaxFile)
	}
	return io.ReadAll(io.LimitReader(t, s.opts.MaxFile))
}

// decompress returns the tar stream of a layer blob.
func decompress(br *bufio.Reader, mediaType string) (io.Reader, func(), error) {
	head, _ := br.Peek(4)
	switch {
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		zr, err := gzip.NewReader(br)
		if err != nil {
			return nil, nil, err
		}
		return zr, func() { zr.Close() }, nil
	case bytes.HasPrefix(head, []byte{0x28, 0xb5, 0x2f, 0xfd}):
		zr, err := zstd.NewReader(br, zstd.WithDecoderConcurrency(1), zstd.WithDecoderMaxMemory(256<<20))
		if err != nil {
			return nil, nil, err
		}
		return zr, zr.Close, nil
	case strings.Contains(mediaType, "gzip") || strings.Contains(mediaType, "zstd"):
		return nil, nil, fmt.Errorf("layer media type %s, but the data is not compressed that way", mediaType)
	}
	return br, func() {}, nil
}

// finish parses what was found into res.
func (s *scanner) finish(res *Result) error {
	if s.osRelease != nil {
		o := ParseOSRelease(s.osRelease)
		res.OS = &o
	}
	byName := map[string]Package{}
	switch {
	case s.status != nil:
		pkgs, err := ParseDpkgStatus(bytes.NewReader(s.status))
		if err != nil {
			return fmt.Errorf("%s: %w", dpkgStatus, err)
		}
		res.Kind, res.Paths = Dpkg, append(res.Paths, dpkgStatus)
		for _, p := range pkgs {
			byName[p.Name] = p
		}
	case s.apk != nil:
		pkgs, err := ParseApkInstalled(bytes.NewReader(s.apk))
		if err != nil {
			return fmt.Errorf("%s: %w", apkDB, err)
		}
		res.Kind, res.Paths = Apk, append(res.Paths, apkDB)
		for _, p := range pkgs {
			byName[p.Name] = p
		}
	}
	if len(s.statusD) > 0 && res.Kind != Apk {
		for _, f := range slices.Sorted(maps.Keys(s.statusD)) {
			pkgs, err := ParseDpkgStatus(bytes.NewReader(s.statusD[f]))
			if err != nil {
				return fmt.Errorf("%s/%s: %w", dpkgDir, f, err)
			}
			for _, p := range pkgs {
				if _, ok := byName[p.Name]; !ok {
					byName[p.Name] = p
				}
			}
		}
		res.Kind = Dpkg
		res.Paths = append(res.Paths, dpkgDir+"/")
	}
	for _, n := range slices.Sorted(maps.Keys(byName)) {
		res.Packages = append(res.Packages, byName[n])
	}
	return nil
}
