package resolve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockmend/dockmend/internal/imageref"
)

type platformInfo struct {
	platform *v1.Platform
	err      error
}

// platformManifest picks the manifest for platform from the tag.
func (r *Resolver) platformManifest(ctx context.Context, p ref, platform string) (Result, error) {
	m := r.get(ctx, p, p.tag)
	if m.err != nil {
		return Result{}, m.err
	}
	if m.kind == KindIndex {
		d, err := childFor(m, platform)
		if err != nil {
			return Result{}, fmt.Errorf("%s: %w", p.name(), err)
		}
		return Result{Digest: d.Digest.String(), Kind: KindManifest, Platform: platform, MediaType: string(d.MediaType), Index: m.digest}, nil
	}
	// A single manifest: pin it only if its config says it is for platform.
	repo, err := r.fetchRepo(p)
	if err != nil {
		return Result{}, withReason(ReasonInvalid, err)
	}
	cp, err := r.configPlatform(ctx, repo, m.raw)
	if err != nil {
		return Result{}, err
	}
	if cp == nil {
		return Result{}, withReason(ReasonNoPlatform, fmt.Errorf("%s is a single manifest whose config names no platform; cannot confirm it is for %s", p.name(), platform))
	}
	if got := platformString(canonicalPlatform(*cp)); got != platform {
		return Result{}, withReason(ReasonNoPlatform, fmt.Errorf("%s is a single %s manifest, not %s", p.name(), got, platform))
	}
	return Result{Digest: m.digest, Kind: KindManifest, Platform: platform, MediaType: m.mediaType}, nil
}

// childFor returns the one child of an index for platform.
func childFor(m manifestInfo, platform string) (v1.Descriptor, error) {
	im, err := v1.ParseIndexManifest(bytes.NewReader(m.raw))
	if err != nil {
		return v1.Descriptor{}, withReason(ReasonUnsupported, fmt.Errorf("parsing index %s: %w", m.digest, err))
	}
	var match []v1.Descriptor
	var have []string
	for _, d := range im.Manifests {
		if d.Platform == nil {
			continue
		}
		ps := platformString(canonicalPlatform(*d.Platform))
		have = append(have, ps)
		if ps == platform && !slices.ContainsFunc(match, func(x v1.Descriptor) bool { return x.Digest == d.Digest }) {
			match = append(match, d)
		}
	}
	switch {
	case len(match) == 0:
		slices.Sort(have)
		return v1.Descriptor{}, withReason(ReasonNoPlatform, fmt.Errorf("index %s has no manifest for %s (it has %s)", m.digest, platform, strings.Join(slices.Compact(have), ", ")))
	case len(match) > 1:
		return v1.Descriptor{}, withReason(ReasonAmbiguousPlatform, fmt.Errorf("index %s has %d different manifests for %s", m.digest, len(match), platform))
	}
	if !imageref.IsSHA256(match[0].Digest.String()) {
		return v1.Descriptor{}, withReason(ReasonUnsupported, fmt.Errorf("index %s lists %s for %s, not a sha256 digest", m.digest, match[0].Digest, platform))
	}
	if k, ok := kindOf(match[0].MediaType); ok && k == KindIndex {
		return v1.Descriptor{}, withReason(ReasonUnsupported, fmt.Errorf("index %s nests an index for %s", m.digest, platform))
	}
	return match[0], nil
}

// configPlatform reads the platform from an image manifest's config blob.
func (r *Resolver) configPlatform(ctx context.Context, repo name.Repository, rawManifest []byte) (*v1.Platform, error) {
	mf, err := v1.ParseManifest(bytes.NewReader(rawManifest))
	if err != nil {
		return nil, withReason(ReasonUnsupported, fmt.Errorf("parsing manifest: %w", err))
	}
	cd := mf.Config.Digest.String()
	pi := r.configs.do(cd, func() (platformInfo, bool) {
		layer, err := r.puller.Layer(ctx, repo.Digest(cd))
		if err != nil {
			return platformInfo{err: err}, !isCanceled(err)
		}
		rc, err := layer.Compressed()
		if err != nil {
			return platformInfo{err: err}, !isCanceled(err)
		}
		defer rc.Close()
		cf, err := v1.ParseConfigFile(io.LimitReader(rc, 8<<20))
		if err != nil {
			return platformInfo{err: withReason(ReasonUnsupported, fmt.Errorf("reading image config %s: %w", cd, err))}, !isCanceled(err)
		}
		return platformInfo{platform: cf.Platform()}, true
	})
	return pi.platform, pi.err
}

// childPlatform reports the platform under which an index lists digest.
func childPlatform(m manifestInfo, digest string) (string, bool) {
	im, err := v1.ParseIndexManifest(bytes.NewReader(m.raw))
	if err != nil {
		return "", false
	}
	for _, c := range im.Manifests {
		if c.Digest.String() == digest && c.Platform != nil {
			return platformString(canonicalPlatform(*c.Platform)), true
		}
	}
	return "", false
}

// platformString formats os/arch[/variant].
func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}

// ParsePlatform parses "os/arch[/variant]" and returns it in canonical form:
// lower case, architecture aliases folded (x86_64 → amd64, aarch64 → arm64),
// and default variants made explicit the way Docker's indexes spell them
// (arm64 → arm64/v8, arm → arm/v7; amd64/v1 → amd64). "linux/arm64" and
// "linux/arm64/v8" therefore name the same platform.
func ParsePlatform(s string) (string, error) {
	p, err := parsePlatform(s)
	if err != nil {
		return "", err
	}
	return platformString(p), nil
}

func parsePlatform(s string) (v1.Platform, error) {
	parts := strings.Split(strings.ToLower(strings.TrimSpace(s)), "/")
	if len(parts) < 2 || len(parts) > 3 || parts[0] == "" || parts[1] == "" || strings.Contains(s, ":") {
		return v1.Platform{}, fmt.Errorf("platform %q: want os/arch[/variant]", s)
	}
	p := v1.Platform{OS: parts[0], Architecture: parts[1]}
	if len(parts) == 3 {
		if parts[2] == "" {
			return v1.Platform{}, fmt.Errorf("platform %q: empty variant", s)
		}
		p.Variant = parts[2]
	}
	return canonicalPlatform(p), nil
}

// canonicalPlatform folds aliases and default variants (after containerd's
// platforms.Normalize, keeping arm64's v8 explicit as Docker's indexes do).
func canonicalPlatform(p v1.Platform) v1.Platform {
	p.OS = strings.ToLower(p.OS)
	p.Architecture = strings.ToLower(p.Architecture)
	p.Variant = strings.ToLower(p.Variant)
	switch p.Architecture {
	case "x86_64", "x86-64", "amd64":
		p.Architecture = "amd64"
		if p.Variant == "v1" {
			p.Variant = ""
		}
	case "i386", "386":
		p.Architecture = "386"
	case "aarch64", "arm64":
		p.Architecture = "arm64"
		switch p.Variant {
		case "", "8", "v8", "v8.0":
			p.Variant = "v8"
		}
	case "armhf":
		p.Architecture, p.Variant = "arm", "v7"
	case "armel":
		p.Architecture, p.Variant = "arm", "v6"
	case "arm":
		switch p.Variant {
		case "", "7":
			p.Variant = "v7"
		case "5", "6", "8":
			p.Variant = "v" + p.Variant
		}
	}
	return v1.Platform{OS: p.OS, Architecture: p.Architecture, Variant: p.Variant}
}
