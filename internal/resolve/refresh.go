package resolve

import (
	"context"
	"errors"
	"fmt"
)

// Refresh re-resolves the digest pinned in reference
// ("python:3.12@sha256:…") to the tag's current digest of the same kind: an
// index pin to the current index, a platform manifest pin to the current
// manifest for the same os/arch/variant, a pin of a single-manifest tag to
// the tag's current single manifest. Where that cannot be done exactly (the
// tag became single-platform, the platform is gone or cannot be told) it
// fails instead of guessing. Result.Previous holds the old digest and
// Result.Changed reports whether it moved.
//
// A current pin of the tag's own digest costs one HEAD; a stale index pin a
// second HEAD (of the old digest). A platform pin adds a GET of the tag's
// index, and, when the index no longer lists the old manifest, GETs of the
// old manifest and its config. When the lock file knows the old digest, the
// old digest costs nothing.
func (r *Resolver) Refresh(ctx context.Context, reference string) Result {
	p, err := parseRef(reference)
	switch {
	case err != nil:
		return failed(reference, "", withReason(ReasonInvalid, err))
	case p.digest == "":
		return failed(reference, p.name(), withReason(ReasonInvalid, errors.New("no pinned digest to refresh")))
	case !p.tagged:
		return failed(reference, p.name(), withReason(ReasonInvalid, errors.New("no tag to refresh against")))
	}
	ctx = withBudget(ctx, r.o.maxRequests)
	res := r.results.do("refresh|"+p.name()+"@"+p.digest, func() (Result, bool) {
		res := r.refresh(ctx, p)
		res.Previous = p.digest
		return res, res.Reason != ReasonCanceled
	})
	if err := r.contradicted(p, p.tag); err != nil && res.Err == nil {
		res = failed(reference, p.name(), err)
		res.Previous = p.digest
	}
	res.Ref = reference
	if res.Err != nil {
		res.Err = r.public(reference, res.Err)
	}
	return res
}

func (r *Resolver) refresh(ctx context.Context, p ref) Result {
	old := p.digest
	resolve := func(kind Kind, platform string) Result {
		return tagFailed(p, r.Resolve(ctx, Request{Ref: p.name(), Kind: kind, Platform: platform}))
	}
	d, known := r.describeFromLock(old)
	if !known && r.o.offline {
		return failed(p.written, p.name(), withReason(ReasonOffline, fmt.Errorf("offline: the lock file does not know %s", old)))
	}
	if !known {
		lctx, cancel := context.WithTimeout(ctx, r.o.timeouts.Lookup)
		defer cancel()
		t := r.head(lctx, p, p.tag)
		if t.err != nil {
			return failed(p.written, p.name(), fmt.Errorf("looking up the tag %s: %w", p.name(), t.err))
		}
		if t.digest == old {
			// Still current. (A single manifest pinned without a
			// platform stays that way.)
			return r.record(p, "", Result{Digest: old, Kind: t.kind, MediaType: t.mediaType})
		}
		k := r.head(lctx, p, old)
		if k.err != nil && classify(k.err) == ReasonNotFound {
			// Garbage-collected: its kind cannot be told, so take the
			// tag's own digest, as a new pin would.
			res := r.record(p, "", Result{Digest: t.digest, Kind: t.kind, MediaType: t.mediaType})
			res.PreviousGone = res.Err == nil
			return res
		}
		if k.err != nil {
			return failed(p.written, p.name(), fmt.Errorf("looking up the pinned digest %s: %w", old, k.err))
		}
		var idx *manifestInfo
		if k.kind == KindManifest && t.kind == KindIndex {
			// Is the old manifest still in the current index? Then it is
			// current, and the index tells its platform.
			m := r.get(lctx, p, p.tag)
			if m.err != nil {
				return failed(p.written, p.name(), m.err)
			}
			if c, ok := childPlatform(m, old); ok {
				return r.record(p, c, Result{Digest: old, Kind: KindManifest, Platform: c, MediaType: k.mediaType, Index: m.digest})
			}
			idx = &m
		}
		di := r.describe(lctx, p, old, idx)
		if di.err != nil {
			return failed(p.written, p.name(), di.err)
		}
		d = di.d
	}
	switch {
	case d.Kind == KindIndex:
		return resolve(KindIndex, "")
	case d.Platform != "":
		return resolve(KindManifest, d.Platform)
	}
	// A manifest of unknown platform: only a single-manifest tag can
	// replace it without guessing.
	res := resolve("", "")
	if res.Err == nil && res.Kind != KindManifest {
		return failed(p.written, p.name(), withReason(ReasonPlatformUnknown,
			fmt.Errorf("%s is pinned to a manifest of unknown platform, and the tag is now an index", p.name())))
	}
	return res
}

// tagFailed rewords a failed lookup of p's tag, made for a refresh, so
// that it says the tag failed, not the pinned digest. Failures to find a
// digest of the pin's kind keep their own words.
func tagFailed(p ref, res Result) Result {
	var e *Error
	if res.Err == nil || !errors.As(res.Err, &e) {
		return res
	}
	switch e.Reason {
	case ReasonKindChanged, ReasonNoPlatform, ReasonAmbiguousPlatform, ReasonPlatformUnknown,
		ReasonUnsupported, ReasonDigestMismatch, ReasonOffline, ReasonCanceled:
		return res
	}
	res.Err = &Error{Ref: e.Ref, Reason: e.Reason, msg: "looking up the tag " + p.name() + ": " + e.msg, err: e.err}
	return res
}
