package resolve

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
)

// Stats counts the HTTP requests a Resolver sent. Every attempt of a retried
// request counts; pings answered from the per-run cache do not (they are in
// PingsCached).
type Stats struct {
	// Requests is the total sent.
	Requests int64
	// ManifestHEAD and ManifestGET are requests under /v2/<repo>/manifests/.
	ManifestHEAD, ManifestGET int64
	// Blob are requests under /v2/<repo>/blobs/ (image configs).
	Blob int64
	// Pings are GET /v2/ version checks sent to a registry.
	Pings int64
	// PingsCached are pings answered from an earlier ping's response to
	// the same host.
	PingsCached int64
	// Tokens are requests outside /v2/: token endpoints.
	Tokens int64
	// Other are any other requests under /v2/.
	Other int64
	// Retries are attempts after the first of one request.
	Retries int64
}

// Add returns the sum of s and o: the requests of two resolvers.
func (s Stats) Add(o Stats) Stats {
	return Stats{Requests: s.Requests + o.Requests, ManifestHEAD: s.ManifestHEAD + o.ManifestHEAD, ManifestGET: s.ManifestGET + o.ManifestGET,
		Blob: s.Blob + o.Blob, Pings: s.Pings + o.Pings, PingsCached: s.PingsCached + o.PingsCached, Tokens: s.Tokens + o.Tokens,
		Other: s.Other + o.Other, Retries: s.Retries + o.Retries}
}

// String summarises s on one line.
func (s Stats) String() string {
	return fmt.Sprintf("%d requests: %d manifest HEAD, %d manifest GET, %d blob, %d ping (+%d cached), %d token, %d other; %d retries",
		s.Requests, s.ManifestHEAD, s.ManifestGET, s.Blob, s.Pings, s.PingsCached, s.Tokens, s.Other, s.Retries)
}

type counter struct {
	inner                                    http.RoundTripper
	requests, mHead, mGet, blob, ping, token atomic.Int64
	other, retries, pingsCached              atomic.Int64
}

// RoundTrip counts req, then sends it.
func (c *counter) RoundTrip(req *http.Request) (*http.Response, error) {
	c.requests.Add(1)
	p := req.URL.Path
	switch {
	case p == "/v2/" || p == "/v2":
		c.ping.Add(1)
	case !strings.HasPrefix(p, "/v2/"):
		c.token.Add(1)
	case strings.Contains(p, "/manifests/") && req.Method == http.MethodHead:
		c.mHead.Add(1)
	case strings.Contains(p, "/manifests/") && req.Method == http.MethodGet:
		c.mGet.Add(1)
	case strings.Contains(p, "/blobs/"):
		c.blob.Add(1)
	default:
		c.other.Add(1)
	}
	return c.inner.RoundTrip(req)
}

func (c *counter) stats() Stats {
	return Stats{
		Requests: c.requests.Load(), ManifestHEAD: c.mHead.Load(), ManifestGET: c.mGet.Load(),
		Blob: c.blob.Load(), Pings: c.ping.Load(), PingsCached: c.pingsCached.Load(),
		Tokens: c.token.Load(), Other: c.other.Load(), Retries: c.retries.Load(),
	}
}
