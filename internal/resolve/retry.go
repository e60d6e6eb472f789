package resolve

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/dockmend/dockmend/internal/redact"
)

// retrier retries transient failures with exponential backoff, honouring
// Retry-After on 429 and 503.
type retrier struct {
	inner   http.RoundTripper
	policy  Retry
	sleep   func(context.Context, time.Duration) error
	log     *slog.Logger
	count   *counter
	secrets *redact.Secrets
}

// retryStatus reports whether a response status is worth a retry.
func retryStatus(code int) bool {
	switch code {
	case http.StatusRequestTimeout, http.StatusTooManyRequests, http.StatusInternalServerError,
		http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// RoundTrip sends req, retrying transient failures.
func (t *retrier) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 1; ; attempt++ {
		resp, err := t.inner.RoundTrip(req)
		if attempt >= t.policy.Attempts || ctx.Err() != nil {
			return resp, err
		}
		wait, ok := t.shouldRetry(resp, err, attempt)
		if !ok {
			return resp, err
		}
		if deadline, has := ctx.Deadline(); has && time.Until(deadline) < wait {
			return resp, err // No time left to wait: report what we have.
		}
		rewound := req
		if req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return resp, err
			}
			body, gerr := req.GetBody()
			if gerr != nil {
				return resp, err
			}
			rewound = req.Clone(ctx)
			rewound.Body = body
		}
		what := ""
		if resp != nil {
			what = resp.Status
			io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
			resp.Body.Close()
		} else {
			what = t.secrets.Redact(err.Error())
		}
		t.log.Debug("retrying request", "method", req.Method, "url", t.secrets.Redact(req.URL.Redacted()), "after", what, "attempt", attempt, "wait", wait)
		if serr := t.sleep(ctx, wait); serr != nil {
			return nil, serr
		}
		t.count.retries.Add(1)
		req = rewound
	}
}

// shouldRetry says whether to retry and after how long.
func (t *retrier) shouldRetry(resp *http.Response, err error, attempt int) (time.Duration, bool) {
	backoff := t.backoff(attempt)
	if err != nil {
		return backoff, retryableError(err)
	}
	if !retryStatus(resp.StatusCode) {
		return 0, false
	}
	if resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable {
		if ra, ok := retryAfter(resp.Header.Get("Retry-After")); ok {
			if ra > t.policy.MaxRetryAfter {
				return 0, false
			}
			return max(ra, backoff), true
		}
	}
	return backoff, true
}

func (t *retrier) backoff(attempt int) time.Duration {
	d := float64(t.policy.Initial) * math.Pow(t.policy.Factor, float64(attempt-1))
	d = min(d, float64(t.policy.Max))
	d *= 0.9 + 0.2*rand.Float64()
	return time.Duration(d)
}

// retryAfter parses a Retry-After value: delay-seconds or an HTTP date.
func retryAfter(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	if at, err := http.ParseTime(v); err == nil {
		return max(time.Until(at), 0), true
	}
	return 0, false
}

func retryableError(err error) bool {
	// The caller has checked the request's context. (Go's own response
	// header timeout also matches context.DeadlineExceeded, and is
	// retried below as a timeout.)
	var pe *policyError
	var le *limitError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return false
	}
	if errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, net.ErrClosed) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
