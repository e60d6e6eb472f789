// Package resolve looks up the digests that image references point to, for
// dockmend's pin rule.
//
// A Resolver asks registries with one HEAD per tag (Accept: OCI index,
// Docker manifest list, OCI and Docker manifests) and pins the tag's own
// digest, which for a multi-platform tag is the index. Only when a platform
// manifest must be chosen, or a registry refuses HEAD (or answers it
// without a well-formed sha256 digest), does it GET the manifest; only to
// learn a single manifest's platform does it read the image config. A
// HEAD's digest is trusted as docker pull trusts a tag (the builder checks
// the content against it); where the manifest is fetched anyway, its hash
// must agree with the HEAD, or the tag's lookups fail.
//
// Every request follows at most MaxRedirects redirects, and every lookup
// sends at most MaxRequestsPerLookup requests.
//
// Every reference is looked up once per Resolver, however many files name
// it: results are cached by normalised name, kind and platform, and
// concurrent callers of the same lookup share one request (singleflight).
// Requests in flight are bounded overall and per registry; failed requests
// are retried with backoff (honouring Retry-After); each lookup has a
// deadline. A failure is a value, a Result with Err and Reason, never a
// panic or a stop of the batch.
//
// Mirrors look a registry up through another host while names and lock
// entries keep the original registry. Credentials come from Docker's config
// (authn.DefaultKeychain) and never appear in errors or logs. With a lock
// file, successful lookups are recorded; offline, the lock file is the only
// source and no connection is ever opened.
//
// Refreshing a pin keeps its kind: an index digest is re-resolved to the
// tag's current index, and a platform manifest to the tag's current
// manifest for the same os/arch/variant. When that cannot be done exactly
// the lookup fails rather than guesses.
package resolve

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/v1/remote"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/lockfile"
	"github.com/dockmend/dockmend/internal/redact"
)

// Kind says what a digest names: a multi-platform index or one manifest.
type Kind = lockfile.Kind

const (
	// KindIndex is an OCI image index or Docker manifest list.
	KindIndex = lockfile.KindIndex
	// KindManifest is a single image manifest.
	KindManifest = lockfile.KindManifest
)

// Source says where a Result came from.
type Source string

const (
	// FromRegistry results were looked up on a registry (or its mirror).
	FromRegistry Source = "registry"
	// FromLockfile results were read from the lock file.
	FromLockfile Source = "lockfile"
)

// Request asks for the digest of one reference.
type Request struct {
	// Ref is the image reference as written, such as "python:3.12". A
	// missing tag means "latest". A digest after '@' is ignored unless
	// Refresh is set; a digest without a tag cannot be resolved.
	Ref string
	// Platform, "os/arch[/variant]", asks for that platform's manifest
	// rather than the tag's own digest. Empty means the Resolver's
	// default (WithPlatform), which is itself empty unless set.
	Platform string
	// Kind constrains the result: KindIndex asks for the tag's own digest
	// and fails unless it is an index (the default platform is ignored);
	// KindManifest needs a platform and fails unless one manifest
	// matches. Empty accepts whatever the tag and platform give.
	Kind Kind
	// Refresh re-resolves the digest pinned in Ref ("python:3.12@sha256:…")
	// keeping its kind and platform: see Resolver.Refresh. Platform and
	// Kind must be empty.
	Refresh bool
}

// Result is the outcome of one lookup.
type Result struct {
	// Ref is the reference as requested.
	Ref string
	// Name is the normalised name: "docker.io/library/python:3.12".
	Name string
	// Digest is the resolved digest, "sha256:…".
	Digest string
	// Kind says whether Digest names an index or a manifest.
	Kind Kind
	// Platform is the canonical "os/arch[/variant]" a manifest was chosen
	// for; empty when Digest is the tag's own digest.
	Platform string
	// MediaType is the media type of the manifest Digest names.
	MediaType string
	// Index is, for a manifest chosen from an index, the index's digest.
	Index string
	// Previous is, for a refresh, the digest that was pinned before.
	Previous string
	// PreviousGone is, for a refresh, true when the registry no longer has
	// the pinned digest (it answered 404), so that its kind and platform
	// cannot be told: Digest is then the tag's own current digest, the
	// index for a multi-platform tag, as a new pin would be.
	PreviousGone bool
	// Resolved is when the digest was looked up (for lock file results,
	// when it was recorded).
	Resolved time.Time
	// Source says whether the registry or the lock file answered.
	Source Source
	// Err is non-nil when the lookup failed; it is an *Error.
	Err error
	// Reason classifies Err.
	Reason Reason
}

// OK reports whether the lookup succeeded.
func (r Result) OK() bool { return r.Err == nil }

// Changed reports whether a refresh found a digest other than the pinned one.
func (r Result) Changed() bool { return r.Err == nil && r.Previous != "" && r.Previous != r.Digest }

// Resolver resolves image references to digests. It is safe for concurrent
// use; make one per run, since its cache never expires.
type Resolver struct {
	o       options
	count   *counter
	puller  *remote.Puller // nil when offline
	secrets *redact.Secrets

	mu      sync.Mutex
	unreach map[string]*unreachable // by canonical registry

	// rt is the transport stack under authentication (fetch.go lists tags
	// through it); nil when offline.
	rt http.RoundTripper

	results memo[Result]
	heads   memo[tagInfo]
	gets    memo[manifestInfo]
	descs   memo[descInfo]
	configs memo[platformInfo]
	tags    memo[tagsInfo] // fetch.go
}

// New returns a Resolver. It opens no connection until asked to resolve,
// and never when offline.
func New(opts ...Option) (*Resolver, error) {
	o, err := makeOptions(opts)
	if err != nil {
		return nil, err
	}
	r := &Resolver{o: o, count: &counter{inner: o.transport}, secrets: &redact.Secrets{}}
	if o.offline {
		return r, nil
	}
	plainOnly, tlsOnly := map[string]bool{}, map[string]bool{}
	for _, m := range o.mirrors {
		switch m.scheme {
		case "http":
			plainOnly[m.host] = true
		case "https":
			tlsOnly[m.host] = true
		}
	}
	var rt http.RoundTripper = r.count
	rt = newLimiter(rt, o.concurrency, o.perRegistry)
	rt = &bound{inner: rt}
	rt = &guard{inner: rt, insecure: o.isInsecure, plainOnly: plainOnly, tlsOnly: tlsOnly}
	rt = &retrier{inner: rt, policy: o.retry, sleep: o.sleep, log: o.logger, count: r.count, secrets: r.secrets}
	rt = &pingCache{inner: rt, count: r.count, m: map[string]*cachedPing{}}
	rt = &recorder{inner: rt, secrets: r.secrets}
	r.rt = rt
	r.puller, err = remote.NewPuller(
		remote.WithTransport(rt),
		remote.WithAuthFromKeychain(o.keychain),
		remote.WithUserAgent(o.userAgent),
		remote.WithJobs(o.concurrency),
		// The retrier above does the retrying; go-containerregistry's
		// own layer would multiply attempts and ignores Retry-After.
		remote.WithRetryPredicate(func(error) bool { return false }),
		remote.WithRetryStatusCodes(),
	)
	if err != nil {
		return nil, fmt.Errorf("creating registry client: %w", err)
	}
	return r, nil
}

// Stats returns the requests sent so far.
func (r *Resolver) Stats() Stats { return r.count.stats() }

// Close releases idle connections of the default transport.
func (r *Resolver) Close() {
	if t, ok := r.o.transport.(*http.Transport); ok && r.o.ownTransport {
		t.CloseIdleConnections()
	}
}

// Resolve looks up one reference. The result is cached for the Resolver's
// life, failures included (except cancellations), and concurrent calls for
// the same lookup share one.
func (r *Resolver) Resolve(ctx context.Context, req Request) Result {
	if req.Refresh {
		if req.Platform != "" || req.Kind != "" {
			return failed(req.Ref, "", withReason(ReasonInvalid, errors.New("a refresh takes its kind and platform from the pinned digest")))
		}
		return r.Refresh(ctx, req.Ref)
	}
	p, err := parseRef(req.Ref)
	if err == nil && p.digest != "" && !p.tagged {
		err = errors.New("a digest without a tag has no tag to resolve")
	}
	if err != nil {
		return failed(req.Ref, "", withReason(ReasonInvalid, err))
	}
	platform := r.o.platform
	if req.Platform != "" {
		if platform, err = ParsePlatform(req.Platform); err != nil {
			return failed(req.Ref, p.name(), withReason(ReasonInvalid, err))
		}
	}
	switch req.Kind {
	case "":
	case KindIndex:
		platform = ""
	case KindManifest:
		if platform == "" {
			return failed(req.Ref, p.name(), withReason(ReasonInvalid, errors.New("a manifest lookup needs a platform")))
		}
	default:
		return failed(req.Ref, p.name(), withReason(ReasonInvalid, fmt.Errorf("unknown kind %q", req.Kind)))
	}
	key := p.name() + "|" + string(req.Kind) + "|" + platform
	res := r.results.do(key, func() (Result, bool) {
		res := r.lookup(ctx, p, req.Kind, platform)
		return res, res.Reason != ReasonCanceled
	})
	if err := r.contradicted(p, p.tag); err != nil && res.Err == nil && res.Source == FromRegistry {
		res = failed(req.Ref, p.name(), err)
	}
	res.Ref = req.Ref
	if res.Err != nil {
		res.Err = r.public(req.Ref, res.Err)
	}
	return res
}

// public makes err, a failed lookup of ref, the *Error callers see: the
// boundary where registry errors become messages, which masks every
// credential this Resolver sent wherever the registry repeated it. A
// registry that cannot be reached is named, and remembered (Unreachable).
func (r *Resolver) public(ref string, err error) *Error {
	e := newError(ref, err)
	msg := r.secrets.Redact(e.msg)
	if p, perr := parseRef(ref); perr == nil && unreachableErr(e.err) {
		r.noteUnreachable(p, msg)
		msg = r.unreachablePrefix(p) + ": " + msg
	}
	return &Error{Ref: e.Ref, Reason: e.Reason, msg: msg, err: e.err}
}

// contradicted returns an error when this run has both the digest a HEAD
// reported for id (a tag or digest) in p's repository and the manifest a
// GET fetched for it, and the manifest's hash is not that digest.
//
// A HEAD's digest cannot be checked without the manifest, and fetching it
// for every tag would double the requests (and count as a pull on Docker
// Hub), so an index pin trusts the HEAD as docker pull trusts a tag; where
// a GET of the same tag is made anyway (a platform's manifest, a refresh),
// the two must agree.
func (r *Resolver) contradicted(p ref, id string) error {
	t, okT := r.heads.peek(p.key(id))
	m, okM := r.gets.peek(p.key(id))
	if !okT || !okM || t.err != nil || m.err != nil || t.digest == m.digest {
		return nil
	}
	return withReason(ReasonDigestMismatch, fmt.Errorf("the registry's HEAD of %s reported %s, but the manifest it serves hashes to %s: not pinning either", p.name(), t.digest, m.digest))
}

func failed(ref, canonical string, err error) Result {
	e := newError(ref, err)
	return Result{Ref: ref, Name: canonical, Err: e, Reason: e.Reason}
}

// lookup does the work behind Resolve.
func (r *Resolver) lookup(ctx context.Context, p ref, kind Kind, platform string) Result {
	if r.o.offline {
		return r.fromLock(p, kind, platform)
	}
	ctx, cancel := context.WithTimeout(withBudget(ctx, r.o.maxRequests), r.o.timeouts.Lookup)
	defer cancel()
	var res Result
	if platform == "" {
		t := r.head(ctx, p, p.tag)
		if t.err != nil {
			return failed(p.written, p.name(), t.err)
		}
		if kind == KindIndex && t.kind != KindIndex {
			return failed(p.written, p.name(), withReason(ReasonKindChanged,
				fmt.Errorf("%s now names a single manifest (%s), not an index", p.name(), t.digest)))
		}
		res = Result{Digest: t.digest, Kind: t.kind, MediaType: t.mediaType}
	} else {
		var err error
		if res, err = r.platformManifest(ctx, p, platform); err != nil {
			return failed(p.written, p.name(), err)
		}
	}
	return r.record(p, platform, res)
}

// record completes a registry result and writes it to the lock file.
func (r *Resolver) record(p ref, platform string, res Result) Result {
	res.Ref, res.Name, res.Source, res.Resolved = p.written, p.name(), FromRegistry, r.o.now()
	if r.o.lock != nil {
		err := r.o.lock.Put(lockfile.Entry{
			Reference: p.name(), Platform: platform, Digest: res.Digest, Kind: res.Kind,
			Index: res.Index, Resolved: res.Resolved,
		})
		if err != nil {
			return failed(p.written, p.name(), fmt.Errorf("recording in the lock file: %w", err))
		}
	}
	return res
}

// fromLock answers a lookup from the lock file alone.
func (r *Resolver) fromLock(p ref, kind Kind, platform string) Result {
	e, ok := r.o.lock.Lookup(p.name(), platform)
	if !ok {
		what := p.name()
		if platform != "" {
			what += " for " + platform
		}
		return failed(p.written, p.name(), withReason(ReasonOffline, fmt.Errorf("offline: the lock file has no entry for %s", what)))
	}
	if kind != "" && e.Kind != kind {
		return failed(p.written, p.name(), withReason(ReasonKindChanged,
			fmt.Errorf("the lock file pins %s to a %s, not an %s", p.name(), e.Kind, kind)))
	}
	if !imageref.IsSHA256(e.Digest) {
		return failed(p.written, p.name(), withReason(ReasonUnsupported,
			fmt.Errorf("the lock file pins %s to %q, not a sha256 digest", p.name(), e.Digest)))
	}
	return Result{Ref: p.written, Name: p.name(), Digest: e.Digest, Kind: e.Kind, Platform: e.Platform,
		Index: e.Index, Resolved: e.Resolved, Source: FromLockfile}
}
