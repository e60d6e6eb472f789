package lockfile

import (
	"bytes"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/regfile"
)

const (
	dA = "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	dB = "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	dC = "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"
)

var when = time.Date(2026, 11, 28, 2, 16, 0, 123456789, time.FixedZone("CET", 3600))

func sample(t *testing.T) *File {
	t.Helper()
	f := New()
	for _, e := range []Entry{
		{Reference: "docker.io/library/python:3.12", Platform: "linux/arm64/v8", Digest: dB, Kind: KindManifest, Index: dA, Resolved: when},
		{Reference: "ghcr.io/acme/app:1", Digest: dC, Kind: KindManifest, Resolved: when},
		{Reference: "docker.io/library/python:3.12", Digest: dA, Kind: KindIndex, Resolved: when},
	} {
		if err := f.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	return f
}

const wantJSON = `{
  "version": 1,
  "entries": [
    {
      "reference": "docker.io/library/python:3.12",
      "digest": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "kind": "index",
      "resolved": "2026-11-28T01:16:00Z"
    },
    {
      "reference": "docker.io/library/python:3.12",
      "platform": "linux/arm64/v8",
      "digest": "sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
      "kind": "manifest",
      "index": "sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
      "resolved": "2026-11-28T01:16:00Z"
    },
    {
      "reference": "ghcr.io/acme/app:1",
      "digest": "sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc",
      "kind": "manifest",
      "resolved": "2026-11-28T01:16:00Z"
    }
  ]
}
`

const wantYAML = `# dockmend lock file: image references pinned to digests.
version: 1
entries:
  - reference: docker.io/library/python:3.12
    digest: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    kind: index
    resolved: 2026-11-28T01:16:00Z
  - reference: docker.io/library/python:3.12
    platform: linux/arm64/v8
    digest: sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb
    kind: manifest
    index: sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa
    resolved: 2026-11-28T01:16:00Z
  - reference: ghcr.io/acme/app:1
    digest: sha256:cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc
    kind: manifest
    resolved: 2026-11-28T01:16:00Z
`

func TestEncodeDeterministic(t *testing.T) {
	for _, tc := range []struct {
		format Format
		want   string
	}{{JSON, wantJSON}, {YAML, wantYAML}} {
		t.Run(tc.format.String(), func(t *testing.T) {
			var buf bytes.Buffer
			if err := sample(t).Encode(&buf, tc.format); err != nil {
				t.Fatal(err)
			}
			if got := buf.String(); got != tc.want {
				t.Errorf("Encode:\n%s\nwant:\n%s", got, tc.want)
			}
		})
	}
}

func TestRoundTrip(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"dockmend.lock", "pins.json", "pins.yaml", "pins.YML"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join(dir, name)
			orig := sample(t)
			if err := orig.Save(path); err != nil {
				t.Fatal(err)
			}
			first, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			wantFirst := wantJSON
			if FormatFor(name) == YAML {
				wantFirst = wantYAML
			}
			if string(first) != wantFirst {
				t.Errorf("saved %s:\n%s", name, first)
			}
			loaded, err := Load(path)
			if err != nil {
				t.Fatal(err)
			}
			e, ok := loaded.Lookup("docker.io/library/python:3.12", "linux/arm64/v8")
			if !ok || e.Digest != dB || e.Kind != KindManifest || e.Index != dA {
				t.Errorf("Lookup = %+v, %v", e, ok)
			}
			if !e.Resolved.Equal(when.Truncate(time.Second)) {
				t.Errorf("Resolved = %v, want %v", e.Resolved, when.Truncate(time.Second))
			}
			if _, ok := loaded.Lookup("docker.io/library/python:3.12", "linux/amd64"); ok {
				t.Error("Lookup found an entry for a platform never put")
			}
			// Saving what was loaded gives the same bytes.
			if err := loaded.Save(path); err != nil {
				t.Fatal(err)
			}
			second, _ := os.ReadFile(path)
			if !bytes.Equal(first, second) {
				t.Errorf("second save differs:\n%s\n---\n%s", first, second)
			}
		})
	}
}

func TestSaveAtomicAndKeepsMode(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "dockmend.lock")
	if err := os.WriteFile(path, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := sample(t).Save(path); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 {
		t.Errorf("temporary files left behind: %v", ents)
	}
	// A directory in the way is refused, not clobbered.
	if err := sample(t).Save(dir); err == nil {
		t.Error("Save over a directory succeeded")
	}
	// Saving into a missing directory fails without leaving anything.
	if err := sample(t).Save(filepath.Join(dir, "missing", "x.lock")); err == nil {
		t.Error("Save into a missing directory succeeded")
	}
}

func TestEmpty(t *testing.T) {
	var buf bytes.Buffer
	if err := New().Encode(&buf, JSON); err != nil {
		t.Fatal(err)
	}
	if got, want := buf.String(), "{\n  \"version\": 1,\n  \"entries\": []\n}\n"; got != want {
		t.Errorf("empty JSON = %q, want %q", got, want)
	}
	f, err := Decode(strings.NewReader(buf.String()), JSON)
	if err != nil || f.Len() != 0 {
		t.Errorf("Decode(empty) = %v, %v", f, err)
	}
}

// TestDecodeEmpty: a lock file with nothing in it is a lock file with no
// entries.
func TestDecodeEmpty(t *testing.T) {
	for _, tc := range []struct {
		in     string
		format Format
	}{{"", JSON}, {" \n\t\n", JSON}, {"", YAML}, {"\n", YAML}, {"# pins to come\n", YAML}} {
		f, err := Decode(strings.NewReader(tc.in), tc.format)
		if err != nil || f.Len() != 0 {
			t.Errorf("Decode(%q, %s) = %v, %v; want an empty lock file", tc.in, tc.format, f, err)
		}
	}
	path := filepath.Join(t.TempDir(), "dockmend.lock")
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if f, err := Load(path); err != nil || f.Len() != 0 {
		t.Errorf("Load(empty file) = %v, %v", f, err)
	}
}

func TestLoadMissing(t *testing.T) {
	_, err := Load(filepath.Join(t.TempDir(), "nope.lock"))
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Load(missing) error = %v, want fs.ErrNotExist", err)
	}
}

// TestLoadSpecial: a lock file larger than MaxSize, or not a regular
// file, is refused without being read.
func TestLoadSpecial(t *testing.T) {
	dir := t.TempDir()
	big := filepath.Join(dir, "big.lock")
	f, err := os.Create(big)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxSize + 1); err != nil { // sparse: nothing written
		t.Fatal(err)
	}
	f.Close()
	if _, err := Load(big); !errors.Is(err, regfile.ErrTooLarge) || !strings.Contains(err.Error(), big+": file too large: larger than 32 MiB") {
		t.Errorf("Load(big): %v", err)
	}
	if _, err := Load(dir); !errors.Is(err, regfile.ErrNotRegular) {
		t.Errorf("Load(directory): %v", err)
	}
}

func TestDecodeErrors(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		format   Format
		want     string
	}{
		{"version", `{"version": 2, "entries": []}`, JSON, "unsupported lock file version 2"},
		{"no version", `{"entries": []}`, JSON, "unsupported lock file version 0"},
		{"unknown field", `{"version": 1, "entries": [], "extra": 1}`, JSON, "unknown field"},
		{"bad kind", `{"version": 1, "entries": [{"reference": "a:1", "digest": "` + dA + `", "kind": "image", "resolved": "2026-01-01T00:00:00Z"}]}`, JSON, `kind "image"`},
		{"bad digest", `{"version": 1, "entries": [{"reference": "a:1", "digest": "abc", "kind": "index", "resolved": "2026-01-01T00:00:00Z"}]}`, JSON, "invalid digest"},
		{"index with platform", `{"version": 1, "entries": [{"reference": "a:1", "platform": "linux/amd64", "digest": "` + dA + `", "kind": "index", "resolved": "2026-01-01T00:00:00Z"}]}`, JSON, "index entry has no platform"},
		{"no time", `{"version": 1, "entries": [{"reference": "a:1", "digest": "` + dA + `", "kind": "index"}]}`, JSON, "no resolution time"},
		{"ref with digest", `{"version": 1, "entries": [{"reference": "a:1@` + dA + `", "digest": "` + dA + `", "kind": "index", "resolved": "2026-01-01T00:00:00Z"}]}`, JSON, "without a digest"},
		{"duplicate", `{"version": 1, "entries": [
			{"reference": "a:1", "digest": "` + dA + `", "kind": "index", "resolved": "2026-01-01T00:00:00Z"},
			{"reference": "a:1", "digest": "` + dB + `", "kind": "index", "resolved": "2026-01-01T00:00:00Z"}]}`, JSON, "duplicate entry"},
		{"trailing", `{"version": 1, "entries": []} {}`, JSON, "trailing data"},
		{"yaml unknown field", "version: 1\nentries: []\npins: []\n", YAML, "not found"},
		{"truncated", `{"version": 1, "entries": [`, JSON, "unexpected EOF"},
		{"yaml no version", "entries: []\n", YAML, "unsupported lock file version 0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(strings.NewReader(tc.in), tc.format)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Decode error = %v, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestPutValidatesAndReplaces(t *testing.T) {
	f := New()
	if err := f.Put(Entry{Reference: "a:1", Digest: "nope", Kind: KindIndex, Resolved: when}); err == nil {
		t.Error("Put accepted an invalid digest")
	}
	if err := f.Put(Entry{Reference: "a:1", Digest: dA, Kind: KindIndex, Resolved: when}); err != nil {
		t.Fatal(err)
	}
	if err := f.Put(Entry{Reference: "a:1", Digest: dB, Kind: KindIndex, Resolved: when}); err != nil {
		t.Fatal(err)
	}
	if e, _ := f.Lookup("a:1", ""); e.Digest != dB || f.Len() != 1 {
		t.Errorf("after replace: %+v, len %d", e, f.Len())
	}
	if !f.Delete("a:1", "") || f.Delete("a:1", "") || f.Len() != 0 {
		t.Error("Delete did not remove exactly once")
	}
}

func TestConcurrentPut(t *testing.T) {
	f := New()
	var wg sync.WaitGroup
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := "r:" + string(rune('a'+i%26)) + string(rune('a'+i/26))
			if err := f.Put(Entry{Reference: ref, Digest: dA, Kind: KindIndex, Resolved: when}); err != nil {
				t.Error(err)
			}
			f.Lookup(ref, "")
			f.Entries()
		}()
	}
	wg.Wait()
	if f.Len() != 50 {
		t.Errorf("Len = %d, want 50", f.Len())
	}
}

func TestFormatFor(t *testing.T) {
	for path, want := range map[string]Format{
		"dockmend.lock": JSON, "x.json": JSON, "x.yaml": YAML, "dir.yml/x.lock": JSON, "X.YML": YAML, "noext": JSON,
	} {
		if got := FormatFor(path); got != want {
			t.Errorf("FormatFor(%q) = %v, want %v", path, got, want)
		}
	}
}

func TestWithDigest(t *testing.T) {
	f := New()
	idx, man := "sha256:"+strings.Repeat("a", 64), "sha256:"+strings.Repeat("b", 64)
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, e := range []Entry{
		{Reference: "docker.io/library/b:1", Digest: idx, Kind: KindIndex},
		{Reference: "docker.io/library/a:1", Platform: "linux/amd64", Digest: man, Kind: KindManifest, Index: idx},
		{Reference: "docker.io/library/c:1", Digest: "sha256:" + strings.Repeat("c", 64), Kind: KindIndex},
	} {
		e.Resolved = now
		if err := f.Put(e); err != nil {
			t.Fatal(err)
		}
	}
	var got []string
	for _, e := range f.WithDigest(idx) {
		got = append(got, e.Reference)
	}
	if strings.Join(got, " ") != "docker.io/library/a:1 docker.io/library/b:1" {
		t.Errorf("WithDigest(index) = %v, want a (through its index) then b", got)
	}
	if len(f.WithDigest("sha256:"+strings.Repeat("d", 64))) != 0 {
		t.Error("an unknown digest has entries")
	}
}
