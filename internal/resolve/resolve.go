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
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"path"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"
	"golang.org/x/sync/singleflight"

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

type tagInfo struct {
	digest, mediaType string
	kind              Kind
	err               error
}

type manifestInfo struct {
	digest, mediaType string
	kind              Kind
	raw               []byte
	err               error
}

type descInfo struct {
	d   Description
	err error
}

type platformInfo struct {
	platform *v1.Platform
	err      error
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

// Unreachable is a registry that a Resolver could not reach: a failed DNS
// lookup, a refused connection, a timeout while connecting.
type Unreachable struct {
	// Registry is the registry as references name it: "docker.io".
	Registry string
	// Mirror is the host asked instead, if the registry has a mirror.
	Mirror string
	// Err is the first failure, with credentials removed.
	Err string
	// Refs counts the distinct references it failed for.
	Refs int
}

type unreachable struct {
	u    Unreachable
	refs map[string]bool
}

// Unreachable lists the registries this Resolver could not reach so far,
// sorted by name, so that a command can report each once rather than once
// per reference.
func (r *Resolver) Unreachable() []Unreachable {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Unreachable
	for _, u := range r.unreach {
		out = append(out, u.u)
	}
	slices.SortFunc(out, func(a, b Unreachable) int { return strings.Compare(a.Registry, b.Registry) })
	return out
}

func (r *Resolver) noteUnreachable(p ref, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.unreach == nil {
		r.unreach = map[string]*unreachable{}
	}
	u, ok := r.unreach[p.registry]
	if !ok {
		u = &unreachable{u: Unreachable{Registry: p.registry, Err: msg}, refs: map[string]bool{}}
		if m, ok := r.o.mirrors[p.registry]; ok {
			u.u.Mirror = m.host
		}
		r.unreach[p.registry] = u
	}
	if !u.refs[p.name()] {
		u.refs[p.name()] = true
		u.u.Refs++
	}
}

// unreachablePrefix is the start of the message of a lookup that could not
// reach p's registry: "cannot reach registry docker.io", with its mirror.
func (r *Resolver) unreachablePrefix(p ref) string {
	s := "cannot reach registry " + p.registry
	if m, ok := r.o.mirrors[p.registry]; ok {
		s += " (through its mirror " + m.host + ")"
	}
	return s
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

// ResolveAll resolves reqs with at most the configured concurrency of
// lookups at once, each unique lookup once, and returns results in the order
// of reqs.
func (r *Resolver) ResolveAll(ctx context.Context, reqs []Request) []Result {
	out := make([]Result, len(reqs))
	// Lookups that share a key share a result: group them so that a worker
	// is spent per unique lookup, not per occurrence.
	groups := map[Request][]int{}
	var order []Request
	for i, q := range reqs {
		if _, ok := groups[q]; !ok {
			order = append(order, q)
		}
		groups[q] = append(groups[q], i)
	}
	work := make(chan Request)
	var wg sync.WaitGroup
	for range min(r.o.concurrency, len(order)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for q := range work {
				res := r.Resolve(ctx, q)
				for _, i := range groups[q] {
					out[i] = res
				}
			}
		}()
	}
	for _, q := range order {
		work <- q
	}
	close(work)
	wg.Wait()
	return out
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

// fetchRepo returns the repository to contact for p: through its mirror, if
// any, with the scheme policy applied.
func (r *Resolver) fetchRepo(p ref) (name.Repository, error) {
	host, repo := p.registry, p.repo
	if host == dockerHub {
		host = name.DefaultRegistry
	}
	var opts []name.Option
	if m, ok := r.o.mirrors[p.registry]; ok {
		host, repo = m.host, path.Join(m.prefix, p.repo)
		if m.scheme == "http" || (m.scheme == "" && r.o.isInsecure(m.host)) {
			opts = append(opts, name.Insecure)
		}
	} else if r.o.isInsecure(host) {
		opts = append(opts, name.Insecure)
	}
	return name.NewRepository(host+"/"+repo, opts...)
}

// head returns the digest of a tag (or digest) id in p's repository: one
// HEAD, or a GET when the registry refuses HEAD or the manifest was fetched
// already.
func (r *Resolver) head(ctx context.Context, p ref, id string) tagInfo {
	return r.heads.do(p.key(id), func() (tagInfo, bool) {
		if m, ok := r.gets.peek(p.key(id)); ok && m.err == nil {
			return tagInfo{digest: m.digest, mediaType: m.mediaType, kind: m.kind}, true
		}
		target, err := r.target(p, id)
		if err != nil {
			return tagInfo{err: withReason(ReasonInvalid, err)}, true
		}
		desc, err := r.puller.Head(ctx, target)
		if err == nil {
			// A digest of another algorithm, or a media type that says
			// nothing, is no answer: the manifest's own hash is.
			if k, ok := kindOf(desc.MediaType); ok && imageref.IsSHA256(desc.Digest.String()) {
				return tagInfo{digest: desc.Digest.String(), mediaType: string(desc.MediaType), kind: k}, true
			}
		} else if !headRefused(err) {
			return tagInfo{err: err}, !isCanceled(err)
		}
		m := r.get(ctx, p, id)
		return tagInfo{digest: m.digest, mediaType: m.mediaType, kind: m.kind, err: m.err}, !isCanceled(m.err)
	})
}

// get fetches the manifest of a tag (or digest) id in p's repository.
func (r *Resolver) get(ctx context.Context, p ref, id string) manifestInfo {
	return r.gets.do(p.key(id), func() (manifestInfo, bool) {
		target, err := r.target(p, id)
		if err != nil {
			return manifestInfo{err: withReason(ReasonInvalid, err)}, true
		}
		m := r.fetchManifest(ctx, target)
		return m, !isCanceled(m.err)
	})
}

// target returns the reference to contact for a tag or digest in p's
// repository.
func (r *Resolver) target(p ref, id string) (name.Reference, error) {
	repo, err := r.fetchRepo(p)
	if err != nil {
		return nil, err
	}
	if strings.Contains(id, ":") {
		return repo.Digest(id), nil
	}
	return repo.Tag(id), nil
}

func (r *Resolver) fetchManifest(ctx context.Context, ref name.Reference) manifestInfo {
	desc, err := r.puller.Get(ctx, ref)
	if err != nil {
		return manifestInfo{err: err}
	}
	m := manifestInfo{digest: desc.Digest.String(), mediaType: string(desc.MediaType), raw: desc.Manifest}
	k, ok := kindOf(desc.MediaType)
	if !ok {
		// Some registries and proxies send a generic Content-Type: look
		// at the document itself.
		var doc struct {
			MediaType types.MediaType `json:"mediaType"`
			Manifests []any           `json:"manifests"`
			Config    *any            `json:"config"`
		}
		if json.Unmarshal(desc.Manifest, &doc) == nil {
			switch k, ok = kindOf(doc.MediaType); {
			case ok:
				m.mediaType = string(doc.MediaType)
			case doc.Manifests != nil:
				k, ok = KindIndex, true
			case doc.Config != nil:
				k, ok = KindManifest, true
			}
		}
	}
	if !ok {
		return manifestInfo{err: withReason(ReasonUnsupported, fmt.Errorf("%s: unsupported manifest type %q", ref, desc.MediaType))}
	}
	m.kind = k
	return m
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
	for _, e := range r.o.lock.Entries() {
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

func kindOf(mt types.MediaType) (Kind, bool) {
	switch mt {
	case types.OCIImageIndex, types.DockerManifestList:
		return KindIndex, true
	case types.OCIManifestSchema1, types.DockerManifestSchema2:
		return KindManifest, true
	}
	return "", false
}

// headRefused reports whether a failed HEAD is worth a GET: not when the
// registry answered plainly (missing, forbidden, rate limited, down) or the
// caller gave up.
func headRefused(err error) bool {
	if isCanceled(err) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *policyError
	var le *limitError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound, te.StatusCode == http.StatusUnauthorized,
			te.StatusCode == http.StatusForbidden, te.StatusCode == http.StatusTooManyRequests,
			te.StatusCode >= 500:
			return false
		}
		return true
	}
	// Missing headers and the like: the server answered, a GET may do.
	return !isNetworkError(err)
}

func isNetworkError(err error) bool {
	switch classify(err) {
	case ReasonNetwork, ReasonTimeout:
		return true
	}
	return false
}

func isCanceled(err error) bool { return err != nil && errors.Is(err, context.Canceled) }

// memo caches values by key and lets concurrent callers share one
// computation.
type memo[T any] struct {
	mu sync.Mutex
	m  map[string]T
	sf singleflight.Group
}

// do returns the cached value for key, or computes it with f; f's second
// result says whether to keep the value.
func (c *memo[T]) do(key string, f func() (T, bool)) T {
	if v, ok := c.peek(key); ok {
		return v
	}
	v, _, _ := c.sf.Do(key, func() (any, error) {
		if v, ok := c.peek(key); ok {
			return v, nil
		}
		v, keep := f()
		if keep {
			c.mu.Lock()
			if c.m == nil {
				c.m = map[string]T{}
			}
			c.m[key] = v
			c.mu.Unlock()
		}
		return v, nil
	})
	return v.(T)
}

func (c *memo[T]) peek(key string) (T, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, ok := c.m[key]
	return v, ok
}
