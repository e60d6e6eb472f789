package resolve

import (
	"context"
	"fmt"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Description tells what an existing digest names.
type Description struct {
	// Digest is the digest described.
	Digest string
	// Kind says whether it is an index or a single manifest.
	Kind Kind
	// Platform is a manifest's canonical "os/arch[/variant]", from the
	// index that lists it or from its image config; empty for an index,
	// and for a manifest whose platform is unknown.
	Platform string
	// MediaType is the manifest's media type, when the registry said.
	MediaType string
}

type descInfo struct {
	d   Description
	err error
}

// Describe tells what digest names in reference's repository (a tag in
// reference is ignored; digest may be empty when reference carries one):
// an index, or a manifest and its platform. It answers from the lock file
// when it can, else with a HEAD of the digest, plus, for a manifest, a GET
// of it and of its image config. Offline, only the lock file is used.
func (r *Resolver) Describe(ctx context.Context, reference, digest string) (Description, error) {
	p, err := parseRef(reference)
	if err != nil {
		return Description{}, newError(reference, withReason(ReasonInvalid, err))
	}
	if digest == "" {
		digest = p.digest
	}
	if _, err := v1.NewHash(digest); err != nil {
		return Description{}, newError(reference, withReason(ReasonInvalid, fmt.Errorf("invalid digest %q: %w", digest, err)))
	}
	if d, ok := r.describeFromLock(digest); ok {
		return d, nil
	}
	if r.o.offline {
		return Description{}, newError(reference, withReason(ReasonOffline, fmt.Errorf("offline: the lock file does not know %s", digest)))
	}
	ctx, cancel := context.WithTimeout(withBudget(ctx, r.o.maxRequests), r.o.timeouts.Lookup)
	defer cancel()
	di := r.describe(ctx, p, digest, nil)
	if di.err != nil {
		return Description{}, r.public(reference, di.err)
	}
	return di.d, nil
}

// describe implements Describe against the registry; idx, when the tag's
// current index is at hand, lets a manifest it lists be described without
// fetching the manifest and its config.
func (r *Resolver) describe(ctx context.Context, p ref, digest string, idx *manifestInfo) descInfo {
	return r.descs.do(p.key(digest), func() (descInfo, bool) {
		t := r.head(ctx, p, digest)
		if t.err != nil {
			return descInfo{err: t.err}, !isCanceled(t.err)
		}
		d := Description{Digest: digest, Kind: t.kind, MediaType: t.mediaType}
		if t.kind == KindIndex {
			return descInfo{d: d}, true
		}
		if idx != nil {
			if c, ok := childPlatform(*idx, digest); ok {
				d.Platform = c
				return descInfo{d: d}, true
			}
		}
		m := r.get(ctx, p, digest)
		if m.err != nil {
			return descInfo{err: m.err}, !isCanceled(m.err)
		}
		repo, err := r.fetchRepo(p)
		if err != nil {
			return descInfo{err: withReason(ReasonInvalid, err)}, true
		}
		cp, err := r.configPlatform(ctx, repo, m.raw)
		if err != nil {
			return descInfo{err: err}, !isCanceled(err)
		}
		if cp != nil {
			d.Platform = platformString(canonicalPlatform(*cp))
		}
		return descInfo{d: d}, true
	})
}

// describeFromLock finds digest among the lock file's entries.
func (r *Resolver) describeFromLock(digest string) (Description, bool) {
	if r.o.lock == nil {
		return Description{}, false
	}
	var found *Description
	for _, e := range r.o.lock.WithDigest(digest) {
		switch {
		case e.Digest == digest && (e.Kind == KindIndex || e.Platform != ""):
			return Description{Digest: digest, Kind: e.Kind, Platform: e.Platform}, true
		case e.Digest == digest && found == nil:
			// A single-manifest tag pinned without a platform: its kind is
			// known, its platform is not; keep looking for better.
			found = &Description{Digest: digest, Kind: e.Kind}
		case e.Index == digest:
			return Description{Digest: digest, Kind: KindIndex}, true
		}
	}
	if found != nil {
		return *found, true
	}
	return Description{}, false
}
