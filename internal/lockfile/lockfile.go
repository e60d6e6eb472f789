// Package lockfile reads and writes dockmend's digest lock file.
//
// A lock file records, for each image reference that was resolved, the digest
// it resolved to, whether that digest is a multi-platform index or a single
// manifest, the platform a manifest was chosen for, and when the lookup
// happened. `dockmend pin --offline` resolves only from it.
//
// The file is JSON or YAML, chosen by the file name's extension: ".yaml" and
// ".yml" mean YAML, anything else (including the default name
// "dockmend.lock") means JSON. Both carry the same fields:
//
//	{
//	  "version": 1,
//	  "entries": [
//	    {
//	      "reference": "docker.io/library/python:3.12",
//	      "digest": "sha256:…",
//	      "kind": "index",
//	      "resolved": "2026-11-28T02:16:00Z"
//	    },
//	    {
//	      "reference": "docker.io/library/python:3.12",
//	      "platform": "linux/arm64/v8",
//	      "digest": "sha256:…",
//	      "kind": "manifest",
//	      "index": "sha256:…",
//	      "resolved": "2026-11-28T02:16:00Z"
//	    }
//	  ]
//	}
//
// An entry is keyed by its reference and platform. The package treats the
// reference as an opaque string; the resolver stores normalised names (see
// resolve.Normalize) so that "python:3.12" and "docker.io/library/python:3.12"
// share an entry. Save writes entries sorted by key, with times in UTC to the
// second, so that an unchanged set of pins produces a byte-identical file.
package lockfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/regfile"
)

// Version is the format version that this package reads and writes.
const Version = 1

// DefaultName is the lock file name used when none is given. It is JSON.
const DefaultName = "dockmend.lock"

// MaxSize is the largest lock file read, in bytes (some 100,000 entries).
// A larger file, or one that is not a regular file (a FIFO, a link to a
// device), is an error.
const MaxSize = 32 << 20

// Kind says what a pinned digest names.
type Kind string

const (
	// KindIndex is a multi-platform image index (OCI index or Docker
	// manifest list).
	KindIndex Kind = "index"
	// KindManifest is a single-platform image manifest.
	KindManifest Kind = "manifest"
)

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool { return k == KindIndex || k == KindManifest }

// Format is the encoding of a lock file.
type Format int

const (
	// JSON is the default format.
	JSON Format = iota
	// YAML is chosen by a ".yaml" or ".yml" extension.
	YAML
)

// String returns "json" or "yaml".
func (f Format) String() string {
	if f == YAML {
		return "yaml"
	}
	return "json"
}

// FormatFor returns the format implied by path's extension: YAML for ".yaml"
// and ".yml" (any case), JSON otherwise.
func FormatFor(path string) Format {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".yaml", ".yml":
		return YAML
	}
	return JSON
}

// Entry is one pinned reference.
type Entry struct {
	// Reference is the image reference the digest was resolved for, with
	// a tag and without a digest (normalised by the resolver).
	Reference string `json:"reference" yaml:"reference"`
	// Platform is "os/arch[/variant]" for a manifest chosen for a platform,
	// and empty when the tag's own digest was pinned.
	Platform string `json:"platform,omitempty" yaml:"platform,omitempty"`
	// Digest is the pinned digest, "sha256:<hex>".
	Digest string `json:"digest" yaml:"digest"`
	// Kind says whether Digest names an index or a single manifest.
	Kind Kind `json:"kind" yaml:"kind"`
	// Index is, for a manifest chosen from a multi-platform index, the
	// digest of that index at resolution time. It is informational.
	Index string `json:"index,omitempty" yaml:"index,omitempty"`
	// Resolved is when the digest was looked up.
	Resolved time.Time `json:"resolved" yaml:"resolved"`
}

type key struct{ ref, platform string }

func (e Entry) key() key { return key{e.Reference, e.Platform} }

var digestRE = regexp.MustCompile(`^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-zA-Z0-9=_-]{32,}$`)

// Validate reports the first problem with e, if any.
func (e Entry) Validate() error {
	switch {
	case e.Reference == "":
		return errors.New("entry has no reference")
	case strings.ContainsAny(e.Reference, " \t\n@"):
		return fmt.Errorf("entry %q: reference must be a name with a tag, without a digest", e.Reference)
	case !digestRE.MatchString(e.Digest):
		return fmt.Errorf("entry %q: invalid digest %q", e.Reference, e.Digest)
	case !e.Kind.Valid():
		return fmt.Errorf("entry %q: kind %q is neither %q nor %q", e.Reference, e.Kind, KindIndex, KindManifest)
	case e.Kind == KindIndex && e.Platform != "":
		return fmt.Errorf("entry %q: an index entry has no platform (got %q)", e.Reference, e.Platform)
	case e.Index != "" && !digestRE.MatchString(e.Index):
		return fmt.Errorf("entry %q: invalid index digest %q", e.Reference, e.Index)
	case e.Resolved.IsZero():
		return fmt.Errorf("entry %q: no resolution time", e.Reference)
	}
	return nil
}

// File is a lock file in memory. It is safe for concurrent use.
type File struct {
	mu      sync.Mutex
	entries map[key]Entry
}

// New returns an empty lock file.
func New() *File {
	return &File{entries: map[key]Entry{}}
}

// document is the on-disk shape.
type document struct {
	Version int     `json:"version" yaml:"version"`
	Entries []Entry `json:"entries" yaml:"entries"`
}

// Load reads the lock file at path, decoding it as the format FormatFor(path)
// names. A missing file is an error that satisfies errors.Is(err,
// fs.ErrNotExist); callers that accept a missing lock file start from New.
func Load(path string) (*File, error) {
	b, err := ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading lock file: %w", err)
	}
	f, err := Decode(bytes.NewReader(b), FormatFor(path))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return f, nil
}

// ReadFile returns the content of the lock file at path, which must be a
// regular file of at most MaxSize bytes.
func ReadFile(path string) ([]byte, error) {
	return regfile.Read(path, MaxSize)
}

// Decode reads a lock file in the given format. An empty one (nothing
// but blanks, or in YAML comments) has no entries, as a new one. Unknown
// fields, an unknown version, invalid entries and duplicate keys are
// errors.
func Decode(r io.Reader, format Format) (*File, error) {
	var doc document
	switch format {
	case YAML:
		dec := yaml.NewDecoder(r)
		dec.KnownFields(true)
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			return New(), nil // no document
		} else if err != nil {
			return nil, fmt.Errorf("decoding YAML lock file: %w", err)
		}
	default:
		dec := json.NewDecoder(r)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&doc); err == io.EOF {
			return New(), nil // nothing but blanks; a truncated document is io.ErrUnexpectedEOF
		} else if err != nil {
			return nil, fmt.Errorf("decoding JSON lock file: %w", err)
		}
		if dec.More() {
			return nil, errors.New("decoding JSON lock file: trailing data after the document")
		}
	}
	if doc.Version != Version {
		return nil, fmt.Errorf("unsupported lock file version %d (this dockmend reads version %d)", doc.Version, Version)
	}
	f := New()
	for i, e := range doc.Entries {
		if err := e.Validate(); err != nil {
			return nil, fmt.Errorf("entry %d: %w", i+1, err)
		}
		if _, dup := f.entries[e.key()]; dup {
			return nil, fmt.Errorf("entry %d: duplicate entry for %q platform %q", i+1, e.Reference, e.Platform)
		}
		f.entries[e.key()] = e
	}
	return f, nil
}

// Lookup returns the entry for ref and platform ("" for the tag's own
// digest).
func (f *File) Lookup(ref, platform string) (Entry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[key{ref, platform}]
	return e, ok
}

// Put adds or replaces the entry with e's reference and platform.
func (f *File) Put(e Entry) error {
	if err := e.Validate(); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries[e.key()] = e
	return nil
}

// Delete removes the entry for ref and platform, reporting whether there was
// one.
func (f *File) Delete(ref, platform string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.entries[key{ref, platform}]
	delete(f.entries, key{ref, platform})
	return ok
}

// Len returns the number of entries.
func (f *File) Len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.entries)
}

// Entries returns a copy of the entries sorted by reference, then platform.
func (f *File) Entries() []Entry {
	return f.entriesWhere(func(Entry) bool { return true })
}

// WithDigest returns the entries whose Digest or Index is digest, sorted
// as Entries sorts them: what a digest is known as.
func (f *File) WithDigest(digest string) []Entry {
	return f.entriesWhere(func(e Entry) bool { return e.Digest == digest || e.Index == digest })
}

// entriesWhere returns a copy of the entries keep accepts, sorted by
// reference, then platform.
func (f *File) entriesWhere(keep func(Entry) bool) []Entry {
	f.mu.Lock()
	out := []Entry{} // not nil: an empty file encodes its entries as []
	for _, e := range f.entries {
		if keep(e) {
			out = append(out, e)
		}
	}
	f.mu.Unlock()
	slices.SortFunc(out, func(a, b Entry) int {
		if c := strings.Compare(a.Reference, b.Reference); c != 0 {
			return c
		}
		return strings.Compare(a.Platform, b.Platform)
	})
	return out
}

// Encode writes f in the given format: sorted entries, times in UTC to the
// second, and a trailing newline.
func (f *File) Encode(w io.Writer, format Format) error {
	entries := f.Entries()
	for i := range entries {
		entries[i].Resolved = entries[i].Resolved.UTC().Truncate(time.Second)
	}
	doc := document{Version: Version, Entries: entries}
	var buf bytes.Buffer
	switch format {
	case YAML:
		buf.WriteString("# dockmend lock file: image references pinned to digests.\n")
		enc := yaml.NewEncoder(&buf)
		enc.SetIndent(2)
		if err := enc.Encode(doc); err != nil {
			return fmt.Errorf("encoding YAML lock file: %w", err)
		}
		if err := enc.Close(); err != nil {
			return fmt.Errorf("encoding YAML lock file: %w", err)
		}
	default:
		if doc.Entries == nil {
			doc.Entries = []Entry{}
		}
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(doc); err != nil { // Encode ends with a newline.
			return fmt.Errorf("encoding JSON lock file: %w", err)
		}
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// Save writes f to path in the format FormatFor(path) names. It writes a
// temporary file in the same directory, syncs it and renames it over path,
// so readers see either the old file or the new one. An existing file's
// permission bits are kept; a new file gets 0644.
func (f *File) Save(path string) error {
	var buf bytes.Buffer
	if err := f.Encode(&buf, FormatFor(path)); err != nil {
		return err
	}
	if err := atomicfile.Replace(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("saving lock file: %w", err)
	}
	return nil
}
