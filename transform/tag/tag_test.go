package tag_test

import (
	"context"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/static"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/testregistry"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/tag"
)

// registry seeds the repositories the golden cases use. Digests depend
// only on the specs, so cases can name them.
//
//	python   3.12.8 = 3.12 = 3 = latest; 3.12.7; 3.12.8-slim = 3.12-slim =
//	         3-slim = slim = 3.12.8-slim-bookworm = 3.12-slim-bookworm;
//	         3.13.0rc1 (a prerelease, never chosen)
//	node     an index whose child says org.opencontainers.image.version
//	         22.11.0: latest = 22 = 22.11.0, and no tag list is needed
//	tie      1.2 = 1.2.3 = v1.2.3
//	lonely   2.0, and 2.0.1 that is another image
func registry(t *testing.T) (*testregistry.Server, *resolve.Resolver) {
	t.Helper()
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx := context.Background()
	seed := func(spec string, aliases ...string) {
		img, err := testregistry.ParseImage(spec)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := srv.Seed(ctx, img); err != nil {
			t.Fatal(err)
		}
		if len(aliases) > 0 {
			if err := srv.Tag(ctx, img.Repo, img.Tag, aliases...); err != nil {
				t.Fatal(err)
			}
		}
	}
	seed("library/python:3.12.8 index linux/amd64 linux/arm64/v8", "3.12", "3", "latest")
	seed("library/python:3.12.7 index linux/amd64 linux/arm64/v8")
	seed("library/python:3.12.8-slim index linux/amd64 linux/arm64/v8", "3.12-slim", "3-slim", "slim", "3.12.8-slim-bookworm", "3.12-slim-bookworm")
	seed("library/python:3.13.0rc1 index linux/amd64")
	seed("library/tie:1.2.3 image linux/amd64", "1.2", "v1.2.3")
	seed("library/lonely:2.0 image linux/amd64")
	seed("library/lonely:2.0.1 image linux/amd64")

	// node: an OCI index with the version annotation on its child.
	img, err := mutate.AppendLayers(empty.Image, static.NewLayer([]byte("node 22.11.0"), types.DockerLayer))
	if err != nil {
		t.Fatal(err)
	}
	img, _ = mutate.CreatedAt(img, v1.Time{Time: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
	idx := mutate.AppendManifests(mutate.IndexMediaType(empty.Index, types.OCIImageIndex), mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{
		Platform:    &v1.Platform{OS: "linux", Architecture: "amd64"},
		Annotations: map[string]string{"org.opencontainers.image.version": "22.11.0"},
	}})
	for _, tg := range []string{"22.11.0", "22", "latest"} {
		if _, err := srv.PushIndex(ctx, "library/node", tg, idx); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetLog()
	r, err := resolve.New(resolve.WithMirror("docker.io", srv.URL()), resolve.WithRetry(resolve.Retry{Attempts: 1}))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return srv, r
}

func TestGolden(t *testing.T) {
	_, r := registry(t)
	transformtest.Run(t, "testdata", tag.New(tag.Options{Registry: r}))
}

// The annotation costs one GET of the index and one HEAD of the tag it
// names; no tag list.
func TestAnnotationRequests(t *testing.T) {
	srv, r := registry(t)
	transformtest.Run(t, "testdata/requests", tag.New(tag.Options{Registry: r}))
	if n := srv.Count("GET", "/tags/list"); n != 0 {
		t.Errorf("%d tag list requests, want 0", n)
	}
	if get, head := srv.Count("GET", "/manifests/"), srv.Count("HEAD", "/manifests/"); get != 1 || head != 2 {
		// HEADs: node:latest (the digest to match) and node:22.11.0.
		t.Errorf("%d GETs and %d HEADs of manifests, want 1 and 2", get, head)
	}
}

// Without a registry every reference is a failed finding.
func TestNoRegistry(t *testing.T) {
	transformtest.Run(t, "testdata/noregistry", tag.New(tag.Options{}))
}
