// This file is longer than 450 lines on purpose: the server, its options
// and its faults share one request path (ServeHTTP), read together. Image
// specs are parsed in spec.go, images seeded in push.go.

// Package testregistry runs an in-memory container registry on loopback for
// tests. It is go-containerregistry's pkg/registry, seeded with small images and
// multi-platform indexes whose digests depend only on their spec, behind a
// layer that logs requests and injects faults (latency, 503s, 429s with
// Retry-After, stalls, connection resets, endless redirects, lying digest
// headers, errors that echo credentials) and can demand bearer tokens from
// a token endpoint it serves.
//
// Go tests use Start and Server.Seed; the dockmend-testregistry command wraps
// the same package for CLI scripts.
package testregistry

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/google/go-containerregistry/pkg/registry"
)

// Faults describes misbehaviour to inject. Latency applies to every request;
// the counted faults apply, in the order Reset, Stall, Fail429, Fail503, to
// the next requests whose path contains Match, each counter going down by
// one per request it hits.
type Faults struct {
	// Latency is added before every request is served.
	Latency time.Duration
	// Match restricts the counted faults to paths containing it; empty
	// matches every path, including /v2/ pings and the token endpoint.
	Match string
	// Fail503 answers the next N matching requests with 503.
	Fail503 int
	// Fail429 answers the next N matching requests with 429.
	Fail429 int
	// RetryAfter, when positive, is sent as Retry-After (whole seconds,
	// rounded up) on injected 429 and 503 responses.
	RetryAfter time.Duration
	// Stall holds the next N matching requests for StallFor, or until the
	// client gives up, before serving them normally.
	Stall int
	// StallFor is how long a stalled request is held.
	StallFor time.Duration
	// Reset closes the connection of the next N matching requests without
	// answering (a TCP reset where the platform allows it).
	Reset int
	// RefuseHead answers every HEAD of a manifest with 405, like
	// registries that do not implement it.
	RefuseHead bool
	// HideDigest drops Docker-Content-Digest from manifest responses, like
	// some proxies.
	HideDigest bool
	// GenericContentType sends manifests as "application/json", like some
	// proxies, instead of their media type.
	GenericContentType bool
	// Redirect answers every manifest request whose path contains Match
	// with a redirect that never ends: see Redirect.
	Redirect Redirect
	// HeadDigest, when set, replaces Docker-Content-Digest in the
	// responses to HEAD requests of manifests, like a registry or proxy
	// that reports the wrong digest.
	HeadDigest string
	// EchoAuth answers every request whose path contains Match and that
	// carries an Authorization header with 403 and an error message that
	// repeats the header's credentials without their "Basic" or "Bearer"
	// prefix, like registries that echo what they were sent.
	EchoAuth bool
}

// Redirect is a kind of endless redirect.
type Redirect string

const (
	// RedirectSelf redirects a request to its own URL.
	RedirectSelf Redirect = "self"
	// RedirectChain redirects a request to a new URL each time: the same
	// path with the query ?hop=N+1.
	RedirectChain Redirect = "chain"
)

// Auth configures bearer-token authentication like Docker Hub's: requests
// under /v2/ without a valid token get 401 with a Bearer challenge naming the
// server's /token endpoint, which hands out tokens scoped to one repository.
type Auth struct {
	// Username and Password, when Username is set, are required (as HTTP
	// Basic credentials) by the token endpoint; otherwise it hands out
	// anonymous tokens.
	Username, Password string
}

// Request is one logged request.
type Request struct {
	// Method is the HTTP method.
	Method string
	// Path is the URL path, without the query.
	Path string
	// Status is the response status; 0 for a reset connection.
	Status int
	// Authorized is true when the request carried an Authorization header.
	Authorized bool
	// Accept and UserAgent are the request's headers of those names.
	Accept, UserAgent string
}

// Option configures Start.
type Option func(*config) error

type config struct {
	addr   string
	faults Faults
	auth   *Auth
	logger *log.Logger
}

// WithAddr sets the listen address; the default is "127.0.0.1:0". Only
// loopback addresses are accepted.
func WithAddr(addr string) Option {
	return func(c *config) error {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return fmt.Errorf("listen address %q: %w", addr, err)
		}
		if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
			return fmt.Errorf("listen address %q: the test registry listens on loopback only", addr)
		}
		c.addr = addr
		return nil
	}
}

// WithFaults sets the initial faults; Server.SetFaults changes them later.
func WithFaults(f Faults) Option {
	return func(c *config) error { c.faults = f; return nil }
}

// WithTokenAuth requires bearer tokens, as Auth describes.
func WithTokenAuth(a Auth) Option {
	return func(c *config) error { c.auth = &a; return nil }
}

// WithLogger sends the registry's own request log to l; by default it is
// discarded.
func WithLogger(l *log.Logger) Option {
	return func(c *config) error { c.logger = l; return nil }
}

// Server is a running test registry.
type Server struct {
	reg  http.Handler
	srv  *http.Server
	ln   net.Listener
	auth *Auth
	done chan struct{}

	mu     sync.Mutex
	faults Faults
	log    []Request
	tokens map[string]string // token -> repository scope
}

// Start listens on loopback and serves an empty registry until Close.
func Start(opts ...Option) (*Server, error) {
	c := config{addr: "127.0.0.1:0", logger: log.New(io.Discard, "", 0)}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		return nil, fmt.Errorf("starting test registry: %w", err)
	}
	s := &Server{
		reg:    registry.New(registry.Logger(c.logger)),
		ln:     ln,
		auth:   c.auth,
		faults: c.faults,
		tokens: map[string]string{},
		done:   make(chan struct{}),
	}
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second, ErrorLog: log.New(io.Discard, "", 0)}
	go func() {
		defer close(s.done)
		s.srv.Serve(ln)
	}()
	return s, nil
}

// Host returns "127.0.0.1:PORT", the registry part of image names.
func (s *Server) Host() string { return s.ln.Addr().String() }

// URL returns "http://127.0.0.1:PORT".
func (s *Server) URL() string { return "http://" + s.Host() }

// Close stops the server, cutting off requests in flight.
func (s *Server) Close() error {
	err := s.srv.Close()
	<-s.done
	return err
}

// Seed pushes images straight into the registry, bypassing faults,
// authentication and the request log. Seeding an existing tag again (with
// another Generation, say) moves it.
func (s *Server) Seed(ctx context.Context, images ...Image) ([]Seeded, error) {
	return push(ctx, s.Host(), handlerTransport{s.reg}, images)
}

// SetFaults replaces the faults in force.
func (s *Server) SetFaults(f Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = f
}

// Faults returns the faults in force, with counters as used so far.
func (s *Server) Faults() Faults {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.faults
}

// Log returns the requests served so far, oldest first.
func (s *Server) Log() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.log...)
}

// ResetLog forgets the logged requests.
func (s *Server) ResetLog() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.log = nil
}

// Count returns how many logged requests used method (any if "") on a path
// containing substr.
func (s *Server) Count(method, substr string) int {
	n := 0
	for _, r := range s.Log() {
		if (method == "" || r.Method == method) && strings.Contains(r.Path, substr) {
			n++
		}
	}
	return n
}

type fault int

const (
	noFault fault = iota
	faultReset
	faultStall
	fault429
	fault503
)

// take decides the fault for one request and consumes its counter.
func (s *Server) take(path string) (fault, Faults) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := &s.faults
	if !strings.Contains(path, f.Match) {
		return noFault, *f
	}
	switch {
	case f.Reset > 0:
		f.Reset--
		return faultReset, *f
	case f.Stall > 0:
		f.Stall--
		return faultStall, *f
	case f.Fail429 > 0:
		f.Fail429--
		return fault429, *f
	case f.Fail503 > 0:
		f.Fail503--
		return fault503, *f
	}
	return noFault, *f
}

// statusRecorder remembers the status written.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status.
func (w *statusRecorder) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write records an implicit 200.
func (w *statusRecorder) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

// ServeHTTP implements http.Handler: the fault and auth layer in front of
// the registry.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get(SeedHeader) != "" {
		s.reg.ServeHTTP(w, r)
		return
	}
	rec := &statusRecorder{ResponseWriter: w}
	defer func() {
		s.mu.Lock()
		s.log = append(s.log, Request{Method: r.Method, Path: r.URL.Path, Status: rec.status, Authorized: r.Header.Get("Authorization") != "",
			Accept: r.Header.Get("Accept"), UserAgent: r.Header.Get("User-Agent")})
		s.mu.Unlock()
	}()

	f, cur := s.take(r.URL.Path)
	if cur.Latency > 0 && !sleep(r.Context(), cur.Latency) {
		return
	}
	switch f {
	case faultReset:
		resetConn(w)
		return
	case faultStall:
		if !sleep(r.Context(), cur.StallFor) {
			return
		}
	case fault429, fault503:
		if cur.RetryAfter > 0 {
			secs := (cur.RetryAfter + time.Second - 1) / time.Second
			w.Header().Set("Retry-After", fmt.Sprint(int64(secs)))
		}
		code := http.StatusServiceUnavailable
		if f == fault429 {
			code = http.StatusTooManyRequests
		}
		rec.WriteHeader(code)
		return
	}

	if cur.EchoAuth && strings.Contains(r.URL.Path, cur.Match) {
		if a := r.Header.Get("Authorization"); a != "" {
			_, cred, _ := strings.Cut(a, " ")
			rec.Header().Set("Content-Type", "application/json")
			rec.WriteHeader(http.StatusForbidden)
			fmt.Fprintf(rec, `{"errors":[{"code":"DENIED","message":"credentials %s are not allowed"}]}`, cred)
			return
		}
	}
	if r.URL.Path == "/token" {
		s.serveToken(rec, r)
		return
	}
	var w2 http.ResponseWriter = rec
	if strings.Contains(r.URL.Path, "/manifests/") && cur.Redirect != "" && strings.Contains(r.URL.Path, cur.Match) {
		u := *r.URL
		if cur.Redirect == RedirectChain {
			hop, _ := strconv.Atoi(r.URL.Query().Get("hop"))
			u.RawQuery = "hop=" + strconv.Itoa(hop+1)
		}
		rec.Header().Set("Location", u.RequestURI())
		rec.WriteHeader(http.StatusTemporaryRedirect)
		return
	}
	if strings.Contains(r.URL.Path, "/manifests/") {
		if cur.RefuseHead && r.Method == http.MethodHead {
			rec.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		headDigest := ""
		if r.Method == http.MethodHead {
			headDigest = cur.HeadDigest
		}
		if cur.HideDigest || cur.GenericContentType || headDigest != "" {
			w2 = &headerRewriter{ResponseWriter: rec, hideDigest: cur.HideDigest, generic: cur.GenericContentType, digest: headDigest}
		}
	}
	if s.auth != nil && !s.authorized(r) {
		scope := ""
		if repo := repoOf(r.URL.Path); repo != "" {
			scope = fmt.Sprintf(`,scope="repository:%s:pull"`, repo)
		}
		rec.Header().Set("WWW-Authenticate", fmt.Sprintf(`Bearer realm="http://%s/token",service="testregistry"%s`, r.Host, scope))
		rec.Header().Set("Content-Type", "application/json")
		rec.WriteHeader(http.StatusUnauthorized)
		io.WriteString(rec, `{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}`)
		return
	}
	s.reg.ServeHTTP(w2, r)
}

// headerRewriter alters a manifest response's headers as misbehaving
// proxies do.
type headerRewriter struct {
	http.ResponseWriter
	hideDigest, generic, wrote bool
	digest                     string // replaces Docker-Content-Digest if set
}

// WriteHeader rewrites the headers once, before they are sent.
func (w *headerRewriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		if w.hideDigest {
			w.Header().Del("Docker-Content-Digest")
		}
		if w.digest != "" && code == http.StatusOK {
			w.Header().Set("Docker-Content-Digest", w.digest)
		}
		if w.generic && code == http.StatusOK {
			w.Header().Set("Content-Type", "application/json")
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

// Write sends the rewritten headers first.
func (w *headerRewriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func resetConn(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		tc.SetLinger(0)
	}
	conn.Close()
}

// repoOf returns the repository of a /v2/<repo>/(manifests|blobs|tags)/...
// path, or "".
func repoOf(path string) string {
	rest, ok := strings.CutPrefix(path, "/v2/")
	if !ok {
		return ""
	}
	for _, sep := range []string{"/manifests/", "/blobs/", "/tags/", "/referrers/"} {
		if i := strings.LastIndex(rest, sep); i > 0 {
			return rest[:i]
		}
	}
	return ""
}

func (s *Server) authorized(r *http.Request) bool {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return false
	}
	s.mu.Lock()
	scope, known := s.tokens[tok]
	s.mu.Unlock()
	if !known {
		return false
	}
	repo := repoOf(r.URL.Path)
	return repo == "" || repo == scope
}

// serveToken implements the token endpoint of the distribution token
// protocol, for pull scopes.
func (s *Server) serveToken(w http.ResponseWriter, r *http.Request) {
	if s.auth == nil {
		http.NotFound(w, r)
		return
	}
	if s.auth.Username != "" {
		u, p, ok := r.BasicAuth()
		if !ok || u != s.auth.Username || p != s.auth.Password {
			w.Header().Set("WWW-Authenticate", `Basic realm="testregistry"`)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnauthorized)
			io.WriteString(w, `{"errors":[{"code":"UNAUTHORIZED","message":"bad credentials"}]}`)
			return
		}
	}
	repo := ""
	for _, sc := range r.URL.Query()["scope"] {
		if parts := strings.Split(sc, ":"); len(parts) == 3 && parts[0] == "repository" {
			repo = parts[1]
		}
	}
	s.mu.Lock()
	tok := fmt.Sprintf("tok-%d", len(s.tokens)+1)
	s.tokens[tok] = repo
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	fmt.Fprintf(w, `{"token":%q,"access_token":%q,"expires_in":300}`, tok, tok)
}

// ErrClosed is returned by Wait after Close.
var ErrClosed = errors.New("test registry closed")

// Wait blocks until the server stops or ctx is done.
func (s *Server) Wait(ctx context.Context) error {
	select {
	case <-s.done:
		return ErrClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}
