package pin

import (
	"context"
	"fmt"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/lockfile"
)

// state is where a reference stands against its registry.
type state int

const (
	unpinned state = iota // no digest: want is the digest to pin
	fresh                 // pinned to what the tag points to
	stale                 // pinned, but the tag moved: want is the new digest
	noTag                 // pinned without a tag: cannot be checked
	noMatch               // pinned, but the tag no longer has a digest of the pin's kind
	failed                // the lookup failed
)

// status is the outcome of looking one reference up.
type status struct {
	state state
	want  Descriptor
	err   error
}

// lookup finds where ref stands. A new pin is the tag's own digest, or
// the platform's manifest when platform is set. An existing pin keeps its
// kind: an index is compared with the tag's digest, a manifest with the
// tag's manifest for the same platform. Requests: one Resolve for a new
// pin or a fresh index pin; Describe and a second Resolve only for a pin
// that differs from the tag's digest.
func lookup(ctx context.Context, r Resolver, ref imageref.Ref, platform string) status {
	if ref.Digest == "" {
		d, err := r.Resolve(ctx, ref.Canonical(), platform)
		if err == nil {
			err = checkDigest(d)
		}
		if err != nil {
			return status{state: failed, err: err}
		}
		return status{state: unpinned, want: d}
	}
	if ref.Tag == "" {
		return status{state: noTag}
	}
	tag, err := r.Resolve(ctx, ref.Canonical(), "")
	if err == nil {
		err = checkDigest(tag)
	}
	if err != nil {
		return status{state: failed, err: err}
	}
	if tag.Digest == ref.Digest {
		return status{state: fresh}
	}
	old, err := r.Describe(ctx, ref.Repository(), ref.Digest)
	if err != nil {
		return status{state: failed, err: fmt.Errorf("cannot tell what the pinned digest %s is: %w", short(ref.Digest), err)}
	}
	switch {
	case old.Kind == lockfile.KindIndex:
		if tag.Kind != lockfile.KindIndex {
			return status{state: noMatch, err: fmt.Errorf("it is pinned to an index but the tag now names a single %s manifest", orUnknown(tag.Platform))}
		}
		return status{state: stale, want: tag}
	case old.Platform == "":
		return status{state: noMatch, err: fmt.Errorf("the pinned manifest %s names no platform", short(ref.Digest))}
	}
	cur, err := r.Resolve(ctx, ref.Canonical(), old.Platform)
	if err == nil {
		err = checkDigest(cur)
	}
	if err != nil {
		return status{state: noMatch, err: fmt.Errorf("the pin is the %s manifest, and the tag has none now: %w", old.Platform, err)}
	}
	if cur.Digest == ref.Digest {
		return status{state: fresh}
	}
	if cur.Platform == "" {
		cur.Platform = old.Platform
	}
	cur.Kind = lockfile.KindManifest
	return status{state: stale, want: cur}
}

// checkDigest refuses a digest dockmend will not write.
func checkDigest(d Descriptor) error {
	if !imageref.IsSHA256(d.Digest) {
		return fmt.Errorf("resolver returned %q, not a sha256 digest", d.Digest)
	}
	return nil
}

func orUnknown(platform string) string {
	if platform == "" {
		return "(unknown platform)"
	}
	return platform
}
