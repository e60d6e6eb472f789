package testregistry

import (
	"context"
	"fmt"
	"hash/fnv"
	"math/rand"
	"net/http"
	"net/http/httptest"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/types"
)

// SeedHeader marks a request as seeding traffic: the Server serves it
// without faults, authentication or logging. It exists so that a second
// process can move tags on a running test registry; never copy it into
// anything but a test helper.
const SeedHeader = "X-Dockmend-Testregistry-Seed"

// Seeded reports what pushing one Image produced.
type Seeded struct {
	// Image is the spec that was pushed.
	Image Image
	// Digest is the tag's digest: the index's for an index or list, else
	// the image manifest's.
	Digest string
	// MediaType is the media type of the tag's manifest.
	MediaType string
	// Children lists an index's manifests in index order.
	Children []Child
}

// Child is one platform manifest of a seeded index.
type Child struct {
	// Platform is "os/arch[/variant]" as given in the spec.
	Platform string
	// Digest is the child manifest's digest.
	Digest string
}

// ChildDigest returns the digest of the child for platform, or "".
func (s Seeded) ChildDigest(platform string) string {
	for _, c := range s.Children {
		if c.Platform == platform {
			return c.Digest
		}
	}
	return ""
}

// Push writes images to the registry at host ("127.0.0.1:PORT") over plain
// HTTP, marking each request with SeedHeader so that a Server's faults and
// authentication do not apply. It is how a second process moves a tag on a
// running dockmend-testregistry.
func Push(ctx context.Context, host string, images ...Image) ([]Seeded, error) {
	return push(ctx, host, seedTransport{http.DefaultTransport}, images)
}

type seedTransport struct{ inner http.RoundTripper }

// RoundTrip marks the request as seeding traffic.
func (t seedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(SeedHeader, "1")
	return t.inner.RoundTrip(req)
}

// handlerTransport serves requests straight from a handler, without a
// network: Server.Seed uses it to reach the bare registry.
type handlerTransport struct{ h http.Handler }

// RoundTrip serves req with the handler.
func (t handlerTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// Give the handler a request shaped like a server-side one.
	in := req.Clone(req.Context())
	if in.Body == nil {
		in.Body = http.NoBody
	}
	in.RequestURI = in.URL.RequestURI()
	if in.Host == "" {
		in.Host = in.URL.Host
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, in)
	resp := rec.Result()
	resp.Request = req
	return resp, nil
}

func push(ctx context.Context, host string, tr http.RoundTripper, images []Image) ([]Seeded, error) {
	out := make([]Seeded, 0, len(images))
	for _, img := range images {
		ref, err := name.NewTag(host+"/"+img.Repo+":"+img.Tag, name.Insecure, name.StrictValidation)
		if err != nil {
			return nil, fmt.Errorf("seeding %s: %w", img, err)
		}
		opts := []remote.Option{remote.WithTransport(tr), remote.WithContext(ctx)}
		s := Seeded{Image: img}
		if img.kind().IsIndex() {
			idx, children, err := buildIndex(img)
			if err != nil {
				return nil, fmt.Errorf("seeding %s: %w", img, err)
			}
			if err := remote.WriteIndex(ref, idx, opts...); err != nil {
				return nil, fmt.Errorf("seeding %s: %w", img, err)
			}
			d, _ := idx.Digest()
			mt, _ := idx.MediaType()
			s.Digest, s.MediaType, s.Children = d.String(), string(mt), children
		} else {
			var platform string
			if len(img.Platforms) > 0 {
				platform = img.Platforms[0]
			}
			im, err := buildImage(img, platform)
			if err != nil {
				return nil, fmt.Errorf("seeding %s: %w", img, err)
			}
			if err := remote.Write(ref, im, opts...); err != nil {
				return nil, fmt.Errorf("seeding %s: %w", img, err)
			}
			d, _ := im.Digest()
			mt, _ := im.MediaType()
			s.Digest, s.MediaType = d.String(), string(mt)
		}
		out = append(out, s)
	}
	return out, nil
}

// buildImage makes a small image whose content depends only on img and
// platform, with platform (if any) recorded in its config.
func buildImage(img Image, platform string) (v1.Image, error) {
	h := fnv.New64a()
	fmt.Fprintf(h, "%s:%s|%s|%s|%d", img.Repo, img.Tag, img.kind(), platform, img.Generation)
	src := rand.NewSource(int64(h.Sum64() >> 1))

	base, layerType := empty.Image, types.DockerLayer
	if img.kind() == KindOCIImage {
		base = mutate.MediaType(base, types.OCIManifestSchema1)
		base = mutate.ConfigMediaType(base, types.OCIConfigJSON)
		layerType = types.OCILayer
	}
	layer, err := random.Layer(256, layerType, random.WithSource(src))
	if err != nil {
		return nil, err
	}
	im, err := mutate.AppendLayers(base, layer)
	if err != nil {
		return nil, err
	}
	cf, err := im.ConfigFile()
	if err != nil {
		return nil, err
	}
	cf = cf.DeepCopy()
	if platform != "" {
		p, err := v1.ParsePlatform(platform)
		if err != nil {
			return nil, err
		}
		cf.OS, cf.Architecture, cf.Variant, cf.OSVersion = p.OS, p.Architecture, p.Variant, p.OSVersion
	}
	return mutate.ConfigFile(im, cf)
}

func buildIndex(img Image) (v1.ImageIndex, []Child, error) {
	var idx v1.ImageIndex = empty.Index
	if img.kind() == KindList {
		idx = mutate.IndexMediaType(idx, types.DockerManifestList)
	}
	var adds []mutate.IndexAddendum
	var children []Child
	for _, platform := range img.Platforms {
		p, err := v1.ParsePlatform(platform)
		if err != nil {
			return nil, nil, err
		}
		im, err := buildImage(Image{Repo: img.Repo, Tag: img.Tag, Kind: KindImage, Generation: img.Generation}, platform)
		if err != nil {
			return nil, nil, err
		}
		d, err := im.Digest()
		if err != nil {
			return nil, nil, err
		}
		adds = append(adds, mutate.IndexAddendum{Add: im, Descriptor: v1.Descriptor{Platform: p}})
		children = append(children, Child{Platform: platform, Digest: d.String()})
	}
	return mutate.AppendManifests(idx, adds...), children, nil
}
