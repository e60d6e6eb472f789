package base

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/testregistry"
)

// file is one file of a test layer.
type file struct{ name, body string }

// layer makes a gzip layer of files; filler adds that many bytes of
// incompressible-ish data so that images differ in size.
func layer(t testing.TB, filler int, files ...file) v1.Layer {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	if filler > 0 {
		data := make([]byte, filler)
		x := uint32(filler)
		for i := range data {
			x = x*1664525 + 1013904223
			data[i] = byte(x >> 24)
		}
		files = append([]file{{"usr/share/filler", string(data)}}, files...)
	}
	for _, f := range files {
		tw.WriteHeader(&tar.Header{Name: f.name, Mode: 0o644, Size: int64(len(f.body)), Typeflag: tar.TypeReg})
		tw.Write([]byte(f.body))
	}
	tw.Close()
	data := buf.Bytes()
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(data)), nil })
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// mkImage makes an image of layers for platform, created at created.
func mkImage(t testing.TB, platform string, created time.Time, layers ...v1.Layer) v1.Image {
	t.Helper()
	img, err := mutate.AppendLayers(mutate.MediaType(empty.Image, types.DockerManifestSchema2), layers...)
	if err != nil {
		t.Fatal(err)
	}
	cf, _ := img.ConfigFile()
	cf = cf.DeepCopy()
	p, _ := v1.ParsePlatform(platform)
	cf.OS, cf.Architecture, cf.Variant = p.OS, p.Architecture, p.Variant
	cf.Created = v1.Time{Time: created}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func size(t testing.TB, img v1.Image) int64 {
	m, err := img.Manifest()
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, l := range m.Layers {
		n += l.Size
	}
	return n
}

func digest(t testing.TB, x interface{ Digest() (v1.Hash, error) }) string {
	d, err := x.Digest()
	if err != nil {
		t.Fatal(err)
	}
	return d.String()
}

// index makes a multi-platform index with OCI annotations on each child
// and, like BuildKit's, an attestation manifest for unknown/unknown.
func index(t testing.TB, version string, created time.Time, baseName string, children map[string]v1.Image) v1.ImageIndex {
	t.Helper()
	var idx v1.ImageIndex = mutate.IndexMediaType(empty.Index, types.OCIImageIndex)
	for _, platform := range []string{"linux/amd64", "linux/arm64/v8"} {
		img, ok := children[platform]
		if !ok {
			continue
		}
		p, _ := v1.ParsePlatform(platform)
		ann := map[string]string{annCreated: created.Format(time.RFC3339), annVersion: version}
		if baseName != "" {
			ann[annBaseName] = baseName
		}
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: p, Annotations: ann}})
		att := mkImage(t, "unknown/unknown", created, layer(t, 0, file{"in-toto.json", `{"subject":"` + digest(t, img) + `"}`}))
		idx = mutate.AppendManifests(idx, mutate.IndexAddendum{Add: att, Descriptor: v1.Descriptor{
			Platform:    &v1.Platform{OS: "unknown", Architecture: "unknown"},
			Annotations: map[string]string{"vnd.docker.reference.type": "attestation-manifest", "vnd.docker.reference.digest": digest(t, img)},
		}})
	}
	return idx
}

var (
	day1      = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	day2      = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)
	reportDay = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
)

// world is a loopback registry with Docker Hub-like repositories whose
// images carry real package databases.
type world struct {
	srv  *testregistry.Server
	imgs map[string]v1.Image // "repo:tag platform" -> image
	idxs map[string]string   // "repo:tag" -> digest
}

func (w *world) push(t testing.TB, repo, tag string, idx v1.ImageIndex) string {
	t.Helper()
	d, err := w.srv.PushIndex(context.Background(), repo, tag, idx)
	if err != nil {
		t.Fatal(err)
	}
	w.idxs[repo+":"+tag] = d
	return d
}

func newWorld(t testing.TB) *world {
	t.Helper()
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	w := &world{srv: srv, imgs: map[string]v1.Image{}, idxs: map[string]string{}}
	status, err := os.ReadFile("../pkgdb/testdata/dpkg-status")
	if err != nil {
		t.Fatal(err)
	}
	apkDB, err := os.ReadFile("../pkgdb/testdata/apk-installed")
	if err != nil {
		t.Fatal(err)
	}
	osDebian := "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"
	osAlpine := "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.19.1\n"
	debian := func(filler int, platform string) v1.Image {
		return mkImage(t, platform, day2, layer(t, filler, file{"usr/lib/os-release", osDebian}, file{"etc/os-release", osDebian}, file{"var/lib/dpkg/status", string(status)}))
	}
	full := map[string]v1.Image{"linux/amd64": debian(300_000, "linux/amd64"), "linux/arm64/v8": debian(280_000, "linux/arm64/v8")}
	slim := map[string]v1.Image{"linux/amd64": debian(100_000, "linux/amd64"), "linux/arm64/v8": debian(90_000, "linux/arm64/v8")}
	w.imgs["debian:bookworm linux/amd64"], w.imgs["debian:bookworm-slim linux/amd64"] = full["linux/amd64"], slim["linux/amd64"]
	w.imgs["debian:bookworm linux/arm64/v8"] = full["linux/arm64/v8"]
	fullIdx := index(t, "12", day2, "", full)
	slimIdx := index(t, "12", day2, "", slim)
	for _, tag := range []string{"bookworm", "12"} {
		w.push(t, "library/debian", tag, fullIdx)
	}
	w.push(t, "library/debian", "bookworm-slim", slimIdx)
	w.push(t, "library/debian", "12-slim", slimIdx)
	// An older build of debian:12, still pinned by some Dockerfiles; the
	// tag moved on (pushed above after this one is kept by digest).
	w.imgs["debian:old linux/amd64"] = debian(250_000, "linux/amd64")
	old := index(t, "12", day1, "", map[string]v1.Image{"linux/amd64": w.imgs["debian:old linux/amd64"]})
	if _, err := srv.PushIndex(context.Background(), "library/debian", "old-12", old); err != nil {
		t.Fatal(err)
	}
	w.idxs["debian:old"] = digest(t, old)

	alp := mkImage(t, "linux/amd64", day2, layer(t, 20_000, file{"etc/os-release", osAlpine}, file{"lib/apk/db/installed", string(apkDB)}))
	w.imgs["alpine:3.19 linux/amd64"] = alp
	w.push(t, "library/alpine", "3.19", index(t, "3.19.1", day2, "", map[string]v1.Image{"linux/amd64": alp}))

	// python: the default image on Debian, -slim (aliased as
	// -slim-bookworm), -alpine; version annotations; base.name.
	py := func(filler int, osr, dbPath, db, baseName string) v1.ImageIndex {
		img := mkImage(t, "linux/amd64", day2, layer(t, filler, file{"etc/os-release", osr}, file{dbPath, db}), layer(t, 5000, file{"usr/local/bin/python3", "#!python"}))
		return index(t, "3.12.8", day2, baseName, map[string]v1.Image{"linux/amd64": img})
	}
	pyFull := py(400_000, osDebian, "var/lib/dpkg/status", string(status), "debian:bookworm")
	pySlim := py(120_000, osDebian, "var/lib/dpkg/status", string(status), "debian:bookworm-slim")
	pyAlpine := py(30_000, osAlpine, "lib/apk/db/installed", string(apkDB), "alpine:3.19")
	for _, tag := range []string{"3.12", "3.12.8", "3.12-bookworm", "3.12.8-bookworm"} {
		w.push(t, "library/python", tag, pyFull)
	}
	for _, tag := range []string{"3.12-slim", "3.12.8-slim", "3.12-slim-bookworm", "3.12.8-slim-bookworm"} {
		w.push(t, "library/python", tag, pySlim)
	}
	for _, tag := range []string{"3.12-alpine", "3.12.8-alpine", "3.12-alpine3.19"} {
		w.push(t, "library/python", tag, pyAlpine)
	}
	srv.ResetLog()
	return w
}

// registry returns a Resolver that reaches the world as Docker Hub.
func (w *world) registry(t testing.TB) *resolve.Resolver {
	t.Helper()
	r, err := resolve.New(resolve.WithMirror("docker.io", w.srv.URL()), resolve.WithRetry(resolve.Retry{Attempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func lines(s string) []string { return strings.Split(strings.TrimSpace(s), "\n") }
