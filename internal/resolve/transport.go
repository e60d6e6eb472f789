package resolve

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/singleflight"

	"github.com/dockmend/dockmend/internal/redact"
)

// The resolver's own transport sits underneath go-containerregistry's
// authentication layers (whose retries are switched off) and is, from the
// top:
//
//	recorder   remembers the credentials sent, to mask them in messages
//	pingCache  answers repeated GET /v2/ pings from the first one per host
//	retrier    retries 408/429/5xx, resets and timeouts, honouring Retry-After
//	guard      refuses plain HTTP to hosts that are not loopback or insecure
//	bound      refuses a request after MaxRedirects redirects, and beyond the
//	           lookup's budget of requests
//	limiter    bounds requests in flight, overall and per host
//	counter    counts what is actually sent, by method and kind
//	base       *http.Transport with timeouts, or the test's transport

func newHTTPTransport(t Timeouts, conc int) *http.Transport {
	return &http.Transport{
		Proxy: http.ProxyFromEnvironment,
		DialContext: (&net.Dialer{
			Timeout:   t.Dial,
			KeepAlive: 30 * time.Second,
		}).DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   conc,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   t.TLSHandshake,
		ResponseHeaderTimeout: t.ResponseHeader,
		ExpectContinueTimeout: time.Second,
	}
}

// limiter bounds requests awaiting a response: at most cap(global) overall
// and perHost per host. A slot is held until the response headers arrive.
type limiter struct {
	inner   http.RoundTripper
	global  chan struct{}
	perHost int
	mu      sync.Mutex
	hosts   map[string]chan struct{}
}

func newLimiter(inner http.RoundTripper, global, perHost int) *limiter {
	return &limiter{inner: inner, global: make(chan struct{}, global), perHost: perHost, hosts: map[string]chan struct{}{}}
}

// RoundTrip waits for a host slot and an overall slot, then sends req.
func (l *limiter) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Host)
	l.mu.Lock()
	hs, ok := l.hosts[host]
	if !ok {
		hs = make(chan struct{}, l.perHost)
		l.hosts[host] = hs
	}
	l.mu.Unlock()
	ctx := req.Context()
	// Take the host's slot first, so that waiting on a busy host does not
	// hold an overall slot another host could use.
	select {
	case hs <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-hs }()
	select {
	case l.global <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-l.global }()
	return l.inner.RoundTrip(req)
}

// guard enforces the plain-HTTP policy before anything is sent.
type guard struct {
	inner     http.RoundTripper
	insecure  func(host string) bool
	plainOnly map[string]bool // mirrors named with http://
	tlsOnly   map[string]bool // mirrors named with https://
}

// RoundTrip refuses req if the plain-HTTP policy forbids it.
func (g *guard) RoundTrip(req *http.Request) (*http.Response, error) {
	host := strings.ToLower(req.URL.Host)
	switch req.URL.Scheme {
	case "http":
		if g.tlsOnly[host] {
			return nil, &policyError{fmt.Sprintf("refusing plain HTTP to %s: its mirror is named with https://", host)}
		}
		if !isLoopback(host) && !g.insecure(host) {
			return nil, &policyError{fmt.Sprintf("refusing plain HTTP to %s: not loopback and not named as an insecure registry", host)}
		}
	case "https":
		if g.plainOnly[host] {
			return nil, &policyError{fmt.Sprintf("not trying HTTPS on %s: its mirror is named with http://", host)}
		}
	}
	return g.inner.RoundTrip(req)
}

// recorder remembers the credentials of every request that goes out,
// whichever layer above added them (go-containerregistry's Basic and
// Bearer transports, its token requests), so that messages can mask them
// wherever a registry repeats them: Authorization headers, and the
// password, refresh_token and similar fields of a token request's form.
type recorder struct {
	inner   http.RoundTripper
	secrets *redact.Secrets
}

// secretFields are the form fields of token requests that hold
// credentials.
var secretFields = []string{"password", "refresh_token", "access_token", "client_secret", "assertion"}

// RoundTrip records req's credentials, then sends it.
func (c *recorder) RoundTrip(req *http.Request) (*http.Response, error) {
	for _, h := range []string{"Authorization", "Proxy-Authorization"} {
		for _, v := range req.Header.Values(h) {
			c.secrets.AddHeader(v)
		}
	}
	if req.Method == http.MethodPost && req.GetBody != nil &&
		strings.HasPrefix(req.Header.Get("Content-Type"), "application/x-www-form-urlencoded") {
		if body, err := req.GetBody(); err == nil {
			data, err := io.ReadAll(io.LimitReader(body, 64<<10))
			body.Close()
			if form, perr := url.ParseQuery(string(data)); err == nil && perr == nil {
				for _, k := range secretFields {
					for _, v := range form[k] {
						c.secrets.Add(v)
					}
				}
			}
		}
	}
	if u := req.URL.User; u != nil {
		if p, ok := u.Password(); ok {
			c.secrets.Add(p)
		}
	}
	return c.inner.RoundTrip(req)
}

// limitError is a request refused because a registry made a lookup need
// more redirects or requests than allowed.
type limitError struct{ msg string }

// Error returns the refusal.
func (e *limitError) Error() string { return e.msg }

// bound refuses a request that follows more than MaxRedirects redirects,
// and any request beyond the budget its lookup carries in its context
// (see withBudget). go-containerregistry follows redirects without a limit
// of its own; the redirect chain is told by the Response field Go's client
// sets on each request it makes to follow a redirect.
type bound struct {
	inner http.RoundTripper
}

// RoundTrip refuses req if it is one redirect or one request too many.
func (b *bound) RoundTrip(req *http.Request) (*http.Response, error) {
	hops := 0
	for r := req; r.Response != nil && r.Response.Request != nil && hops <= MaxRedirects; r = r.Response.Request {
		hops++
	}
	if hops > MaxRedirects {
		return nil, &limitError{fmt.Sprintf("stopped after %d redirects: the registry keeps redirecting (next to %s)", MaxRedirects, redact.String(req.URL.Redacted()))}
	}
	if bg, ok := req.Context().Value(budgetKey{}).(*budget); ok && bg.left.Add(-1) < 0 {
		return nil, &limitError{fmt.Sprintf("stopped after %d requests for one lookup: the registry keeps asking for more", bg.max)}
	}
	return b.inner.RoundTrip(req)
}

// budget is the number of requests a lookup may still send.
type budget struct {
	left atomic.Int64
	max  int
}

type budgetKey struct{}

// withBudget gives a lookup a budget of n requests, unless ctx belongs to
// a lookup that has one already (a refresh resolves the tag within its
// own budget).
func withBudget(ctx context.Context, n int) context.Context {
	if _, ok := ctx.Value(budgetKey{}).(*budget); ok {
		return ctx
	}
	bg := &budget{max: n}
	bg.left.Store(int64(n))
	return context.WithValue(ctx, budgetKey{}, bg)
}

// pingCache answers GET /v2/ from the first such ping to the same scheme and
// host in this run. go-containerregistry pings once per repository (each
// repository gets its own authenticated transport), but the answer (200, or
// 401 with the auth challenge) belongs to the registry, so one ping per host
// is enough. A failed ping (after the retrier's retries) is remembered too,
// so that a broken registry is not asked again for every repository; only a
// ping cut short by its caller's context is forgotten.
type pingCache struct {
	inner http.RoundTripper
	count *counter
	sf    singleflight.Group
	mu    sync.Mutex
	m     map[string]*cachedPing
}

type cachedPing struct {
	err    error
	status int
	proto  string
	header http.Header
	body   []byte
}

// RoundTrip answers a ping from the cache or sends it.
func (p *pingCache) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet || (req.URL.Path != "/v2/" && req.URL.Path != "/v2") || req.Header.Get("Authorization") != "" {
		return p.inner.RoundTrip(req)
	}
	key := req.URL.Scheme + "://" + strings.ToLower(req.URL.Host)
	p.mu.Lock()
	c, ok := p.m[key]
	p.mu.Unlock()
	if ok {
		if c.err == nil {
			p.count.pingsCached.Add(1)
		}
		return c.response(req)
	}
	leader := false
	v, err, _ := p.sf.Do(key, func() (any, error) {
		leader = true
		c := &cachedPing{}
		resp, err := p.inner.RoundTrip(req)
		if err == nil {
			defer resp.Body.Close()
			c.status, c.proto, c.header = resp.StatusCode, resp.Proto, resp.Header.Clone()
			c.body, err = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		}
		if err != nil && req.Context().Err() != nil {
			return nil, err // The caller gave up: not an answer to keep.
		}
		c.err = err
		p.mu.Lock()
		p.m[key] = c
		p.mu.Unlock()
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	c = v.(*cachedPing)
	if !leader && c.err == nil {
		p.count.pingsCached.Add(1)
	}
	return c.response(req)
}

func (c *cachedPing) response(req *http.Request) (*http.Response, error) {
	if c.err != nil {
		return nil, c.err
	}
	return &http.Response{
		Status:        fmt.Sprintf("%d %s", c.status, http.StatusText(c.status)),
		StatusCode:    c.status,
		Proto:         c.proto,
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        c.header.Clone(),
		Body:          io.NopCloser(bytes.NewReader(c.body)),
		ContentLength: int64(len(c.body)),
		Request:       req,
	}, nil
}
