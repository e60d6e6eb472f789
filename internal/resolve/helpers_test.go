package resolve

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/testregistry"
)

// hub seeds a test registry with Docker Hub-like names, reached through
// --registry-mirror docker.io=http://127.0.0.1:PORT.
type hub struct {
	t      *testing.T
	srv    *testregistry.Server
	seeded map[string]testregistry.Seeded // "repo:tag" -> what was pushed
}

var defaultImages = []string{
	"library/python:3.12 index linux/amd64 linux/arm64/v8",
	"library/alpine:3.19 list linux/amd64 linux/arm64/v8 linux/arm/v7",
	"library/debian:12 index linux/amd64 linux/arm64/v8 unknown/unknown",
	"team/app:1.0 image linux/amd64",
	"team/bare:1 image",
	"team/oci:1 oci-image linux/arm64/v8",
}

func newHub(t *testing.T, opts ...testregistry.Option) *hub {
	t.Helper()
	srv, err := testregistry.Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h := &hub{t: t, srv: srv, seeded: map[string]testregistry.Seeded{}}
	h.seed(defaultImages...)
	return h
}

// seed pushes spec lines (see testregistry.ParseImage).
func (h *hub) seed(lines ...string) {
	h.t.Helper()
	var imgs []testregistry.Image
	for _, l := range lines {
		img, err := testregistry.ParseImage(l)
		if err != nil {
			h.t.Fatal(err)
		}
		imgs = append(imgs, img)
	}
	out, err := h.srv.Seed(context.Background(), imgs...)
	if err != nil {
		h.t.Fatal(err)
	}
	for _, s := range out {
		h.seeded[s.Image.Repo+":"+s.Image.Tag] = s
	}
}

func (h *hub) digest(repoTag string) string {
	h.t.Helper()
	s, ok := h.seeded[repoTag]
	if !ok {
		h.t.Fatalf("%s was not seeded", repoTag)
	}
	return s.Digest
}

func (h *hub) child(repoTag, platform string) string {
	h.t.Helper()
	d := h.seeded[repoTag].ChildDigest(platform)
	if d == "" {
		h.t.Fatalf("%s has no child for %s", repoTag, platform)
	}
	return d
}

// fast is a retry policy for tests.
var fast = Retry{Attempts: 4, Initial: 2 * time.Millisecond, Max: 20 * time.Millisecond, Factor: 2}

// resolver returns a Resolver that reaches h as Docker Hub's mirror, with
// fast retries and no credentials.
func (h *hub) resolver(opts ...Option) *Resolver {
	h.t.Helper()
	base := []Option{
		WithMirror("docker.io", h.srv.URL()),
		WithRetry(fast),
		WithKeychain(authn.NewMultiKeychain()),
		WithUserAgent("dockmend-test"),
	}
	r, err := New(append(base, opts...)...)
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(r.Close)
	return r
}

// mustResolve resolves and fails the test on error.
func mustResolve(t *testing.T, r *Resolver, req Request) Result {
	t.Helper()
	res := r.Resolve(context.Background(), req)
	if res.Err != nil {
		t.Fatalf("Resolve(%+v): %v (reason %s)", req, res.Err, res.Reason)
	}
	return res
}

// wantFail checks that res failed for reason.
func wantFail(t *testing.T, res Result, reason Reason) {
	t.Helper()
	if res.Err == nil {
		t.Fatalf("Resolve(%s) = %s, want failure %s", res.Ref, res.Digest, reason)
	}
	if res.Reason != reason {
		t.Fatalf("Resolve(%s) failed with reason %s (%v), want %s", res.Ref, res.Reason, res.Err, reason)
	}
	if e, ok := res.Err.(*Error); !ok || e.Reason != reason || (res.Ref != "" && !strings.HasPrefix(e.Error(), "resolving "+res.Ref+": ")) {
		t.Errorf("Err = %#v (%v), want an *Error for %s with reason %s", res.Err, res.Err, res.Ref, reason)
	}
}

// noNetwork is a transport that fails the test if it is ever used.
type noNetwork struct{ t *testing.T }

func (n noNetwork) RoundTrip(req *http.Request) (*http.Response, error) {
	n.t.Errorf("network used: %s %s", req.Method, req.URL)
	return nil, fmt.Errorf("network forbidden in this test")
}

// staticKeychain hands out one username and password for every registry.
type staticKeychain struct{ user, pass string }

func (k staticKeychain) Resolve(authn.Resource) (authn.Authenticator, error) {
	return authn.FromConfig(authn.AuthConfig{Username: k.user, Password: k.pass}), nil
}

// inflight wraps a transport and records the most requests in flight, in
// total and per host.
type inflight struct {
	inner            http.RoundTripper
	mu               sync.Mutex
	now, max         int
	perHost, maxHost map[string]int
}

func (f *inflight) RoundTrip(req *http.Request) (*http.Response, error) {
	f.mu.Lock()
	f.now++
	f.perHost[req.URL.Host]++
	f.max = max(f.max, f.now)
	f.maxHost[req.URL.Host] = max(f.maxHost[req.URL.Host], f.perHost[req.URL.Host])
	f.mu.Unlock()
	defer func() {
		f.mu.Lock()
		f.now--
		f.perHost[req.URL.Host]--
		f.mu.Unlock()
	}()
	return f.inner.RoundTrip(req)
}

// sleeps records the waits a Resolver asks for and skips them.
type sleeps struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeps) option() Option {
	return func(o *options) error {
		o.sleep = func(ctx context.Context, d time.Duration) error {
			s.mu.Lock()
			s.waits = append(s.waits, d)
			s.mu.Unlock()
			return ctx.Err()
		}
		return nil
	}
}

func (s *sleeps) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.waits...)
}

// resolveAll resolves reqs with at most the resolver's concurrency of
// lookups at once, as the pin rule's Prepare does, and returns the results
// in the order of reqs.
func resolveAll(ctx context.Context, r *Resolver, reqs []Request) []Result {
	out := make([]Result, len(reqs))
	g := new(errgroup.Group)
	g.SetLimit(r.o.concurrency)
	for i, q := range reqs {
		g.Go(func() error {
			out[i] = r.Resolve(ctx, q)
			return nil
		})
	}
	g.Wait()
	return out
}
