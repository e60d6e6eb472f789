package pin

import (
	"bytes"
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/golden"
	"github.com/dockmend/dockmend/internal/lockfile"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/testregistry"
	"github.com/dockmend/dockmend/transform"
)

// examplesLock is the lock file "make demo" pins the examples through.
var examplesLock = filepath.Join("..", "..", "testdata", "examples", "dockmend.lock")

// examplesTime is the resolution time written into the examples' lock file.
var examplesTime = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

// TestExamplesLock keeps testdata/examples/dockmend.lock in step with the
// example Dockerfiles, and checks that it pins every one of them offline.
//
// The lock file is made, not downloaded: every image the examples name is
// served by internal/testregistry, whose digests depend only on the image
// spec, and the examples are pinned against it with the lock file
// recording. The digests are therefore the test registry's, not Docker
// Hub's: they make the demo work on a machine without network, and do not
// name real images. Run with -update after changing the examples.
func TestExamplesLock(t *testing.T) {
	dockerfiles, err := filepath.Glob(filepath.Join("..", "..", "testdata", "examples", "*", "Dockerfile"))
	if err != nil || len(dockerfiles) == 0 {
		t.Fatalf("no example Dockerfiles: %v", err)
	}
	var files []*source.File
	for _, p := range dockerfiles {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := source.Parse(p, data)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}

	// Serve every image the examples name.
	hosts := map[string]bool{}
	var images []testregistry.Image
	seen := map[string]bool{}
	for _, f := range files {
		for _, s := range collect(f, &Options{}) {
			if s.skip != nil {
				t.Errorf("%s: %s cannot be pinned: %s", f.Path, s.text, s.skip.reason())
				continue
			}
			hosts[s.ref.Domain] = true
			if key := s.ref.Path + ":" + s.ref.TagOrDefault(); !seen[key] {
				seen[key] = true
				images = append(images, testregistry.Image{Repo: s.ref.Path, Tag: s.ref.TagOrDefault(),
					Kind: testregistry.KindIndex, Platforms: []string{"linux/amd64", "linux/arm64/v8"}})
			}
		}
	}
	sort.Slice(images, func(i, j int) bool { return images[i].String() < images[j].String() })
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.Seed(context.Background(), images...); err != nil {
		t.Fatal(err)
	}

	// Pin online, recording.
	lf := lockfile.New()
	ropts := []resolve.Option{
		resolve.WithKeychain(authn.NewMultiKeychain()),
		resolve.WithLockfile(lf),
		resolve.WithClock(func() time.Time { return examplesTime }),
	}
	for _, h := range slices.Sorted(maps.Keys(hosts)) {
		ropts = append(ropts, resolve.WithMirror(h, srv.URL()))
	}
	online, err := resolve.New(ropts...)
	if err != nil {
		t.Fatal(err)
	}
	defer online.Close()
	want := pinExamples(t, files, online)

	var buf bytes.Buffer
	if err := lf.Encode(&buf, lockfile.JSON); err != nil {
		t.Fatal(err)
	}
	old, _ := os.ReadFile(examplesLock)
	switch {
	case golden.Update():
		if !bytes.Equal(old, buf.Bytes()) {
			if err := os.WriteFile(examplesLock, buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
	case !bytes.Equal(old, buf.Bytes()):
		t.Fatalf("%s is out of date with the examples (run go test -run TestExamplesLock -update)\n--- have ---\n%s--- want ---\n%s", examplesLock, old, buf.Bytes())
	}

	// Pin offline from the committed file: the same output, no request.
	srv.ResetLog()
	committed, err := lockfile.Load(examplesLock)
	if err != nil {
		t.Fatal(err)
	}
	offline, err := resolve.New(resolve.WithLockfile(committed), resolve.WithOffline())
	if err != nil {
		t.Fatal(err)
	}
	got := pinExamples(t, files, offline)
	for i := range files {
		if got[i] != want[i] {
			t.Errorf("%s: offline output differs from online\n--- offline ---\n%s--- online ---\n%s", files[i].Path, got[i], want[i])
		}
	}
	if n := len(srv.Log()); n != 0 {
		t.Errorf("offline pinning sent %d requests", n)
	}
}

// pinExamples fixes every file with pin alone and returns the outputs,
// failing on any finding left.
func pinExamples(t *testing.T, files []*source.File, r Resolver) []string {
	t.Helper()
	ts := []*transform.Transformer{New(Options{Resolver: r})}
	var out []string
	for _, f := range files {
		res, err := engine.Run(context.Background(), f.Path, f.Data, engine.Options{Transformers: ts})
		if err != nil {
			t.Fatal(err)
		}
		for _, fd := range res.Remaining {
			t.Errorf("%s:%d: %s", f.Path, fd.Line, fd.Message)
		}
		if !strings.Contains(string(res.Output), "@sha256:") {
			t.Errorf("%s: nothing pinned", f.Path)
		}
		out = append(out, string(res.Output))
	}
	return out
}
