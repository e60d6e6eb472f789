package resolve

import (
	"context"
	"encoding/base64"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/redact"
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
}

// TestEchoedCredentialsAreRedacted: a registry that repeats the
// credentials it was sent, without the "Basic" or "Bearer" that would
// mark them, does not get them into error messages: neither the Basic
// credentials sent to its token endpoint nor the token sent with a
// manifest request.
func TestEchoedCredentialsAreRedacted(t *testing.T) {
	const user, pass = "robot", "s3cr3t-pa55"
	basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
	for _, match := range []string{"/token", "/manifests/"} {
		t.Run(match, func(t *testing.T) {
			h := newHub(t, testregistry.WithTokenAuth(testregistry.Auth{Username: user, Password: pass}))
			h.srv.SetFaults(testregistry.Faults{EchoAuth: true, Match: match})
			r := h.resolver(WithKeychain(staticKeychain{user, pass}))
			// A platform's manifest takes a GET, whose answer has a body.
			res := r.Resolve(context.Background(), Request{Ref: "python:3.12", Platform: "linux/amd64"})
			wantFail(t, res, ReasonUnauthorized)
			msg := res.Err.Error()
			t.Log(msg)
			if !strings.Contains(msg, "credentials "+redact.Mask+" are not allowed") {
				t.Errorf("message %q does not show the registry's answer, masked", msg)
			}
			secrets := []string{basic, user + ":" + pass, pass}
			for i := range 3 {
				secrets = append(secrets, fmt.Sprintf("tok-%d", i+1))
			}
			for _, s := range secrets {
				if strings.Contains(msg, s) {
					t.Errorf("message shows the credential %q: %s", s, msg)
				}
			}
		})
	}
}

// TestHeadDigestIsChecked: the digest a HEAD reports is pinned only if it
// is a well-formed sha256 digest (otherwise the manifest is fetched and
// hashed), and a HEAD digest that the manifest's own hash contradicts,
// once a GET of the same tag was made anyway, fails the lookups that rely
// on it instead of being pinned silently.
func TestHeadDigestIsChecked(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"sha512:" + strings.Repeat("e", 128), "sha256:" + strings.Repeat("E", 64), "sha256:xyz", "md5:" + strings.Repeat("e", 32)} {
		t.Run(bad[:6], func(t *testing.T) {
			h := newHub(t)
			h.srv.SetFaults(testregistry.Faults{HeadDigest: bad})
			r := h.resolver()
			res := mustResolve(t, r, Request{Ref: "python:3.12"})
			if res.Digest != h.digest("library/python:3.12") {
				t.Errorf("pinned %s, want the manifest's own %s", res.Digest, h.digest("library/python:3.12"))
			}
			if st := r.Stats(); st.ManifestHEAD != 1 || st.ManifestGET != 1 {
				t.Errorf("stats: %s; want the HEAD, then a GET", st)
			}
		})
	}
	t.Run("wrong", func(t *testing.T) {
		h := newHub(t)
		wrong := "sha256:" + strings.Repeat("e", 64)
		h.srv.SetFaults(testregistry.Faults{HeadDigest: wrong})
		r := h.resolver()
		// The index pin alone costs a HEAD, whose digest cannot be
		// checked without the manifest (see the package documentation).
		if res := mustResolve(t, r, Request{Ref: "python:3.12"}); res.Digest != wrong {
			t.Fatalf("index: %s", res.Digest)
		}
		// A platform's manifest needs the index itself: its hash
		// contradicts the HEAD, and both lookups now fail.
		res := r.Resolve(ctx, Request{Ref: "python:3.12", Platform: "linux/amd64"})
		wantFail(t, res, ReasonDigestMismatch)
		if msg := res.Err.Error(); !strings.Contains(msg, wrong) || !strings.Contains(msg, h.digest("library/python:3.12")) {
			t.Errorf("message %q does not name both digests", msg)
		}
		wantFail(t, r.Resolve(ctx, Request{Ref: "python:3.12"}), ReasonDigestMismatch)
	})
}

// TestRefreshWhenPinIsGone: a pinned digest the registry no longer has
// (garbage-collected) is refreshed to the tag's own current digest, the
// index, and the result says so; a tag that fails is named as the tag,
// a pinned digest that fails otherwise as the pinned digest.
func TestRefreshWhenPinIsGone(t *testing.T) {
	ctx := context.Background()
	gone := "sha256:" + strings.Repeat("1", 64)
	h := newHub(t)
	r := h.resolver()
	res := r.Refresh(ctx, "python:3.12@"+gone)
	if res.Err != nil || !res.PreviousGone || !res.Changed() || res.Digest != h.digest("library/python:3.12") || res.Kind != KindIndex || res.Previous != gone {
		t.Errorf("gone pin: %+v", res)
	}
	// A single-manifest tag gets its manifest: the tag's own digest.
	res = r.Refresh(ctx, "team/app:1.0@"+gone)
	if res.Err != nil || !res.PreviousGone || res.Digest != h.digest("team/app:1.0") || res.Kind != KindManifest {
		t.Errorf("gone pin of a single-manifest tag: %+v", res)
	}

	// The tag itself is missing: the message says it is the tag.
	res = r.Refresh(ctx, "python:9.99@"+gone)
	wantFail(t, res, ReasonNotFound)
	if _, msg, _ := strings.Cut(res.Err.Error(), ": "); !strings.HasPrefix(msg, "looking up the tag docker.io/library/python:9.99: ") || strings.Contains(msg, gone) {
		t.Errorf("tag failure: %q", msg)
	}

	// The pinned digest fails otherwise (here 503s, retried in vain): the
	// message names the pinned digest, and nothing falls back.
	h.srv.SetFaults(testregistry.Faults{Match: "/manifests/sha256:", Fail503: 100})
	res = r.Refresh(ctx, "alpine:3.19@"+gone)
	wantFail(t, res, ReasonUnavailable)
	if msg := res.Err.Error(); !strings.Contains(msg, "looking up the pinned digest "+gone+": ") {
		t.Errorf("pinned digest failure: %q", msg)
	}
}

// TestUnreachable: a registry that cannot be reached is named in every
// failed lookup's message and listed once by Unreachable, with the number
// of distinct references it failed for; a registry that answers (even
// with 404) is not.
func TestUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := ln.Addr().String()
	ln.Close()
	h := newHub(t)
	r := h.resolver(WithMirror("ghcr.io", "http://"+closed))
	ctx := context.Background()
	for _, ref := range []string{"ghcr.io/a/b:1", "ghcr.io/a/c:1", "ghcr.io/a/b:1"} {
		res := r.Resolve(ctx, Request{Ref: ref})
		wantFail(t, res, ReasonNetwork)
		if msg := res.Err.Error(); !strings.HasPrefix(msg, "resolving "+ref+": cannot reach registry ghcr.io (through its mirror "+closed+"): ") {
			t.Errorf("message %q does not name the registry", msg)
		}
	}
	wantFail(t, r.Resolve(ctx, Request{Ref: "python:9.99"}), ReasonNotFound)
	got := r.Unreachable()
	if len(got) != 1 || got[0].Registry != "ghcr.io" || got[0].Mirror != closed || got[0].Refs != 2 || !strings.Contains(got[0].Err, "connection refused") {
		t.Errorf("Unreachable() = %+v, want ghcr.io through %s, 2 references", got, closed)
	}
}
