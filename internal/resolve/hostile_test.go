package resolve

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/testregistry"
)

// TestRedirectsAreBounded: a registry that redirects a manifest request to
// itself, or along an endless chain of new URLs, gets at most
// MaxRedirects+1 requests for it, and the lookup fails with a message that
// says why, promptly (go-containerregistry's redirect check has no limit
// of its own).
func TestRedirectsAreBounded(t *testing.T) {
	for _, mode := range []testregistry.Redirect{testregistry.RedirectSelf, testregistry.RedirectChain} {
		t.Run(string(mode), func(t *testing.T) {
			h := newHub(t)
			h.srv.SetFaults(testregistry.Faults{Redirect: mode, Match: "/manifests/"})
			r := h.resolver(WithTimeouts(Timeouts{Lookup: 3 * time.Second}))
			start := time.Now()
			res := r.Resolve(context.Background(), Request{Ref: "python:3.12"})
			elapsed := time.Since(start)
			got := h.srv.Count("", "/manifests/")
			t.Logf("%d manifest requests in %v: %v", got, elapsed.Round(time.Millisecond), res.Err)
			if got > MaxRedirects+1 {
				t.Errorf("the registry got %d manifest requests, want at most %d", got, MaxRedirects+1)
			}
			wantFail(t, res, ReasonLimit)
			if msg := res.Err.Error(); !strings.Contains(msg, "redirect") {
				t.Errorf("message %q does not say the registry redirected", msg)
			}
			// Asked for a platform (a GET), the same.
			h.srv.ResetLog()
			res = r.Resolve(context.Background(), Request{Ref: "alpine:3.19", Platform: "linux/amd64"})
			wantFail(t, res, ReasonLimit)
			if got := h.srv.Count("", "/manifests/"); got > MaxRedirects+1 {
				t.Errorf("GET: the registry got %d manifest requests, want at most %d", got, MaxRedirects+1)
			}
		})
	}
}

// TestRequestBudget: however a registry makes a lookup go round (here a
// manifest request redirected again and again, with a budget smaller
// than the redirect limit), one lookup sends at most its budget of
// requests.
func TestRequestBudget(t *testing.T) {
	h := newHub(t)
	h.srv.SetFaults(testregistry.Faults{Redirect: testregistry.RedirectChain, Match: "/manifests/"})
	r := h.resolver(func(o *options) error { o.maxRequests = 5; return nil })
	res := r.Resolve(context.Background(), Request{Ref: "python:3.12"})
	wantFail(t, res, ReasonLimit)
	if st := r.Stats(); st.Requests > 5 {
		t.Errorf("%d requests sent for one lookup, want at most 5: %s", st.Requests, st)
	}
	if msg := res.Err.Error(); !strings.Contains(msg, "5 requests") {
		t.Errorf("message %q does not name the budget", msg)
	}
	// The budget is per lookup: another reference gets its own.
	h.srv.SetFaults(testregistry.Faults{})
	mustResolve(t, r, Request{Ref: "alpine:3.19"})
	_ = http.MethodHead
}
