package resolve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/dockmend/dockmend/internal/lockfile"
)

// Option configures a Resolver.
type Option func(*options) error

// Timeouts bound the time spent on the network. Zero fields keep their
// defaults.
type Timeouts struct {
	// Dial bounds opening a TCP connection (default 10s).
	Dial time.Duration
	// TLSHandshake bounds the TLS handshake (default 10s).
	TLSHandshake time.Duration
	// ResponseHeader bounds the wait for a response's headers after the
	// request is sent (default 30s). A request that times out is retried.
	ResponseHeader time.Duration
	// Lookup bounds one whole lookup, retries and backoff included
	// (default 2m).
	Lookup time.Duration
}

// Retry says how failed requests are retried: on 408, 429, 500, 502, 503
// and 504 responses, connection resets, unexpected EOFs and timeouts. The
// wait before retry n (n = 1, 2, ...) is Initial×Factor^(n-1), at most Max,
// with ±10% jitter; a Retry-After header on a 429 or 503 replaces it when
// longer. Zero fields keep their defaults.
type Retry struct {
	// Attempts is the total number of tries of one request (default 4).
	Attempts int
	// Initial is the first backoff (default 500ms).
	Initial time.Duration
	// Max caps one backoff (default 10s).
	Max time.Duration
	// Factor multiplies the backoff after each retry (default 2).
	Factor float64
	// MaxRetryAfter is the longest Retry-After honoured (default 60s); a
	// response asking for a longer wait is not retried.
	MaxRetryAfter time.Duration
}

type options struct {
	concurrency  int
	perRegistry  int
	mirrors      map[string]mirror // canonical registry -> mirror
	insecure     map[string]bool   // host or host:port
	keychain     authn.Keychain
	transport    http.RoundTripper
	ownTransport bool
	timeouts     Timeouts
	retry        Retry
	userAgent    string
	lock         *lockfile.File
	offline      bool
	platform     string // canonical default platform, "" = index
	now          func() time.Time
	logger       *slog.Logger
	sleep        func(context.Context, time.Duration) error
	maxRequests  int // per lookup; MaxRequestsPerLookup unless a test says otherwise
}

const (
	// MaxRedirects is the most redirects one request may follow, as Go's
	// http.Client allows by default (go-containerregistry lifts the
	// limit for the requests it sends).
	MaxRedirects = 10
	// MaxRequestsPerLookup bounds the HTTP requests one lookup may send,
	// retries, redirects and token requests included. A lookup needs a
	// handful; a registry that makes it need more is refused.
	MaxRequestsPerLookup = 100
	// DefaultConcurrency is the default bound on requests in flight, and
	// dockmend's default --concurrency: the lookups the pin rule runs at
	// once, and the images dockmend base inspects at once.
	DefaultConcurrency = 8
	// DefaultUserAgent is sent unless WithUserAgent says otherwise.
	DefaultUserAgent = "dockmend"
)

func defaultOptions() options {
	return options{
		concurrency: DefaultConcurrency,
		mirrors:     map[string]mirror{},
		insecure:    map[string]bool{},
		keychain:    authn.DefaultKeychain,
		timeouts: Timeouts{
			Dial:           10 * time.Second,
			TLSHandshake:   10 * time.Second,
			ResponseHeader: 30 * time.Second,
			Lookup:         2 * time.Minute,
		},
		retry: Retry{
			Attempts:      4,
			Initial:       500 * time.Millisecond,
			Max:           10 * time.Second,
			Factor:        2,
			MaxRetryAfter: time.Minute,
		},
		userAgent:   DefaultUserAgent,
		now:         time.Now,
		logger:      slog.New(slog.NewTextHandler(io.Discard, nil)),
		sleep:       sleepCtx,
		maxRequests: MaxRequestsPerLookup,
	}
}

func makeOptions(opts []Option) (options, error) {
	o := defaultOptions()
	for _, opt := range opts {
		if err := opt(&o); err != nil {
			return o, err
		}
	}
	if o.perRegistry == 0 || o.perRegistry > o.concurrency {
		o.perRegistry = o.concurrency
	}
	if o.offline && o.lock == nil {
		return o, errors.New("offline resolution needs a lock file")
	}
	for reg, m := range o.mirrors {
		if m.scheme == "http" && !isLoopback(m.host) && !o.isInsecure(m.host) {
			return o, fmt.Errorf("registry mirror for %s uses plain HTTP on %s, which is neither loopback nor named as an insecure registry", reg, m.host)
		}
	}
	if o.transport == nil {
		o.transport = newHTTPTransport(o.timeouts, o.concurrency)
		o.ownTransport = true
	}
	return o, nil
}

func (o *options) isInsecure(host string) bool {
	host = strings.ToLower(host)
	if o.insecure[host] {
		return true
	}
	if i := strings.LastIndex(host, ":"); i > 0 && !strings.HasSuffix(host, "]") {
		return o.insecure[host[:i]]
	}
	return false
}

// WithConcurrency bounds the requests in flight at once, over all
// registries (default DefaultConcurrency).
func WithConcurrency(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("concurrency must be positive, got %d", n)
		}
		o.concurrency = n
		return nil
	}
}

// WithRegistryConcurrency caps the requests in flight to any one registry
// host (default: the overall concurrency).
func WithRegistryConcurrency(n int) Option {
	return func(o *options) error {
		if n <= 0 {
			return fmt.Errorf("per-registry concurrency must be positive, got %d", n)
		}
		o.perRegistry = n
		return nil
	}
}

// WithMirror looks registry up through target while results keep the
// original names: WithMirror("docker.io", "http://127.0.0.1:5000") fetches
// "python:3.12" as 127.0.0.1:5000/library/python:3.12. Docker Hub's names
// (docker.io, index.docker.io, registry-1.docker.io) are one registry. A
// target with http:// is contacted over plain HTTP only, and only if it is
// loopback or named with WithInsecureRegistry; https:// means TLS only; no
// scheme means HTTPS, with go-containerregistry's plain-HTTP fallback for
// loopback and insecure hosts. See ParseMirror for the flag syntax.
func WithMirror(registry, target string) Option {
	return func(o *options) error {
		m, err := parseMirrorTarget(target)
		if err != nil {
			return err
		}
		reg := canonicalRegistry(strings.TrimSpace(registry))
		if reg == "" || strings.ContainsAny(reg, "/@ ") {
			return fmt.Errorf("registry mirror: invalid registry %q", registry)
		}
		o.mirrors[reg] = m
		return nil
	}
}

// WithInsecureRegistry allows plain HTTP to host ("host" or "host:port"),
// which is otherwise allowed only on loopback.
func WithInsecureRegistry(host string) Option {
	return func(o *options) error {
		host = strings.ToLower(strings.TrimSpace(host))
		if host == "" || strings.ContainsAny(host, "/@ ") {
			return fmt.Errorf("insecure registry: invalid host %q", host)
		}
		o.insecure[host] = true
		return nil
	}
}

// WithKeychain sets where credentials come from (default
// authn.DefaultKeychain: Docker's config under DOCKER_CONFIG or ~/.docker,
// with its credential helpers). Credentials are sent to registries only; they
// never appear in errors or logs.
func WithKeychain(kc authn.Keychain) Option {
	return func(o *options) error {
		if kc == nil {
			return errors.New("nil keychain")
		}
		o.keychain = kc
		return nil
	}
}

// WithTransport replaces the HTTP transport underneath retries, limits and
// request counting. Tests use it to reach in-process registries or to
// forbid the network; the default transport applies the dial, TLS and
// response-header timeouts of WithTimeouts, which a replacement must
// provide itself.
func WithTransport(rt http.RoundTripper) Option {
	return func(o *options) error {
		if rt == nil {
			return errors.New("nil transport")
		}
		o.transport = rt
		return nil
	}
}

// WithTimeouts overrides the default timeouts; zero fields keep defaults.
func WithTimeouts(t Timeouts) Option {
	return func(o *options) error {
		for _, d := range []time.Duration{t.Dial, t.TLSHandshake, t.ResponseHeader, t.Lookup} {
			if d < 0 {
				return fmt.Errorf("negative timeout %v", d)
			}
		}
		o.timeouts.Dial = orDuration(t.Dial, o.timeouts.Dial)
		o.timeouts.TLSHandshake = orDuration(t.TLSHandshake, o.timeouts.TLSHandshake)
		o.timeouts.ResponseHeader = orDuration(t.ResponseHeader, o.timeouts.ResponseHeader)
		o.timeouts.Lookup = orDuration(t.Lookup, o.timeouts.Lookup)
		return nil
	}
}

// WithRetry overrides the retry policy; zero fields keep defaults.
func WithRetry(r Retry) Option {
	return func(o *options) error {
		if r.Attempts < 0 || r.Initial < 0 || r.Max < 0 || r.Factor < 0 || r.MaxRetryAfter < 0 {
			return errors.New("negative retry setting")
		}
		if r.Attempts > 0 {
			o.retry.Attempts = r.Attempts
		}
		o.retry.Initial = orDuration(r.Initial, o.retry.Initial)
		o.retry.Max = orDuration(r.Max, o.retry.Max)
		o.retry.MaxRetryAfter = orDuration(r.MaxRetryAfter, o.retry.MaxRetryAfter)
		if r.Factor > 0 {
			o.retry.Factor = r.Factor
		}
		return nil
	}
}

// WithUserAgent sets the User-Agent product (default "dockmend");
// go-containerregistry appends its own.
func WithUserAgent(ua string) Option {
	return func(o *options) error {
		o.userAgent = ua
		return nil
	}
}

// WithLockfile records every successful online lookup in f, and is where
// WithOffline resolves from. Describe and Refresh also learn the kind and
// platform of pinned digests from it. Saving f is the caller's job.
func WithLockfile(f *lockfile.File) Option {
	return func(o *options) error {
		o.lock = f
		return nil
	}
}

// WithOffline resolves from the lock file only and never opens a
// connection; what the lock file lacks fails with ReasonOffline.
func WithOffline() Option {
	return func(o *options) error {
		o.offline = true
		return nil
	}
}

// WithPlatform makes lookups that name no platform pin the manifest for
// platform ("os/arch[/variant]") instead of the tag's own digest, which for
// a multi-platform tag is the index.
func WithPlatform(platform string) Option {
	return func(o *options) error {
		if platform == "" {
			o.platform = ""
			return nil
		}
		p, err := ParsePlatform(platform)
		if err != nil {
			return err
		}
		o.platform = p
		return nil
	}
}

// WithClock sets the clock that stamps results and lock entries.
func WithClock(now func() time.Time) Option {
	return func(o *options) error {
		if now == nil {
			return errors.New("nil clock")
		}
		o.now = now
		return nil
	}
}

// WithLogger receives debug records of retries (method, redacted URL,
// status or error, delay). Headers and credentials are never logged.
func WithLogger(l *slog.Logger) Option {
	return func(o *options) error {
		if l == nil {
			return errors.New("nil logger")
		}
		o.logger = l
		return nil
	}
}

func orDuration(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
