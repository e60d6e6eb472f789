package resolve

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockmend/dockmend/internal/lockfile"
	"github.com/dockmend/dockmend/internal/testregistry"
)

func TestNormalize(t *testing.T) {
	const py = "docker.io/library/python:3.12"
	for in, want := range map[string]string{
		"python:3.12":                                   py,
		"docker.io/python:3.12":                         py,
		"docker.io/library/python:3.12":                 py,
		"index.docker.io/library/python:3.12":           py,
		"index.docker.io/python:3.12":                   py,
		"registry-1.docker.io/library/python:3.12":      py,
		"registry-1.docker.io/python:3.12":              py,
		"python:3.12@sha256:" + strings.Repeat("a", 64): py,
		"python":                   "docker.io/library/python:latest",
		"user/app:1":               "docker.io/user/app:1",
		"ghcr.io/acme/app:1":       "ghcr.io/acme/app:1",
		"GHCR.io/acme/app:1":       "ghcr.io/acme/app:1",
		"localhost:5000/app":       "localhost:5000/app:latest",
		"127.0.0.1:5000/a/b:c":     "127.0.0.1:5000/a/b:c",
		"quay.io:443/org/img:v1.2": "quay.io:443/org/img:v1.2",
	} {
		got, err := Normalize(in)
		if err != nil || got != want {
			t.Errorf("Normalize(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "${BASE}:3", "$BASE", "Python:3", "python@sha256:" + strings.Repeat("a", 64), "python:3@sha256:nothex", "a b"} {
		if got, err := Normalize(bad); err == nil {
			t.Errorf("Normalize(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParsePlatform(t *testing.T) {
	for in, want := range map[string]string{
		"linux/amd64":     "linux/amd64",
		"linux/amd64/v1":  "linux/amd64",
		"linux/amd64/v3":  "linux/amd64/v3",
		"Linux/X86_64":    "linux/amd64",
		"linux/arm64":     "linux/arm64/v8",
		"linux/aarch64":   "linux/arm64/v8",
		"linux/arm64/v8":  "linux/arm64/v8",
		"linux/arm":       "linux/arm/v7",
		"linux/armhf":     "linux/arm/v7",
		"linux/arm/6":     "linux/arm/v6",
		"windows/amd64":   "windows/amd64",
		" linux/s390x ":   "linux/s390x",
		"linux/386":       "linux/386",
		"linux/i386":      "linux/386",
		"linux/riscv64":   "linux/riscv64",
		"linux/ppc64le":   "linux/ppc64le",
		"unknown/unknown": "unknown/unknown",
	} {
		got, err := ParsePlatform(in)
		if err != nil || got != want {
			t.Errorf("ParsePlatform(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "linux", "linux/", "/amd64", "linux/amd64/", "a/b/c/d", "windows/amd64:10.0.17763"} {
		if got, err := ParsePlatform(bad); err == nil {
			t.Errorf("ParsePlatform(%q) = %q, want an error", bad, got)
		}
	}
}

func TestParseMirror(t *testing.T) {
	reg, target, err := ParseMirror("docker.io=http://127.0.0.1:5000")
	if err != nil || reg != "docker.io" || target != "http://127.0.0.1:5000" {
		t.Errorf("ParseMirror = %q, %q, %v", reg, target, err)
	}
	for _, bad := range []string{"docker.io", "=x", "docker.io="} {
		if _, _, err := ParseMirror(bad); err == nil {
			t.Errorf("ParseMirror(%q) succeeded", bad)
		}
	}
	for _, bad := range []string{"ftp://x", "http://user:pw@127.0.0.1:5000", "http://", "http://a b"} {
		if _, err := New(WithMirror("docker.io", bad)); err == nil {
			t.Errorf("WithMirror(%q) accepted", bad)
		} else if strings.Contains(err.Error(), "pw") {
			t.Errorf("WithMirror error shows the password: %v", err)
		}
	}
}

// The default: one HEAD per tag with the full Accept list, the index
// digest for multi-platform tags, no GET, one ping per registry.
func TestResolveHeadOnly(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	for _, tc := range []struct {
		ref, repoTag string
		kind         Kind
		mediaType    string
	}{
		{"python:3.12", "library/python:3.12", KindIndex, "application/vnd.oci.image.index.v1+json"},
		{"alpine:3.19", "library/alpine:3.19", KindIndex, "application/vnd.docker.distribution.manifest.list.v2+json"},
		{"team/app:1.0", "team/app:1.0", KindManifest, "application/vnd.docker.distribution.manifest.v2+json"},
		{"docker.io/team/oci:1", "team/oci:1", KindManifest, "application/vnd.oci.image.manifest.v1+json"},
	} {
		res := mustResolve(t, r, Request{Ref: tc.ref})
		if res.Digest != h.digest(tc.repoTag) || res.Kind != tc.kind || res.MediaType != tc.mediaType || res.Platform != "" || res.Source != FromRegistry {
			t.Errorf("%s: got %+v, want %s %s %s", tc.ref, res, h.digest(tc.repoTag), tc.kind, tc.mediaType)
		}
		if res.Ref != tc.ref || !strings.HasPrefix(res.Name, "docker.io/") {
			t.Errorf("%s: Ref %q Name %q", tc.ref, res.Ref, res.Name)
		}
	}
	st := r.Stats()
	if st.ManifestHEAD != 4 || st.ManifestGET != 0 || st.Blob != 0 || st.Pings != 1 || st.PingsCached != 3 || st.Requests != 5 {
		t.Errorf("stats: %s; want 4 HEAD, 1 ping (+3 cached: one per repository after the first), nothing else", st)
	}
	for _, req := range h.srv.Log() {
		if req.Method == http.MethodHead {
			for _, mt := range []string{"application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json",
				"application/vnd.oci.image.manifest.v1+json", "application/vnd.docker.distribution.manifest.v2+json"} {
				if !strings.Contains(req.Accept, mt) {
					t.Errorf("HEAD %s: Accept %q lacks %s", req.Path, req.Accept, mt)
				}
			}
		}
		if !strings.HasPrefix(req.UserAgent, "dockmend-test") {
			t.Errorf("%s %s: User-Agent %q", req.Method, req.Path, req.UserAgent)
		}
	}
}

// All spellings of a Docker Hub name are one lookup, fetched through the
// mirror under the Hub path.
func TestMirrorNamesAndDedup(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	refs := []string{
		"python:3.12", "docker.io/python:3.12", "docker.io/library/python:3.12",
		"index.docker.io/library/python:3.12", "registry-1.docker.io/library/python:3.12",
		"registry-1.docker.io/python:3.12", "python:3.12@sha256:" + strings.Repeat("0", 64),
	}
	var reqs []Request
	for range 20 {
		for _, ref := range refs {
			reqs = append(reqs, Request{Ref: ref})
		}
	}
	results := resolveAll(context.Background(), r, reqs)
	for i, res := range results {
		if res.Err != nil || res.Digest != h.digest("library/python:3.12") || res.Name != "docker.io/library/python:3.12" || res.Ref != reqs[i].Ref {
			t.Errorf("result %d = %+v", i, res)
		}
	}
	if got := h.srv.Count(http.MethodHead, "/v2/library/python/manifests/3.12"); got != 1 {
		t.Errorf("registry saw %d HEADs for library/python:3.12, want 1", got)
	}
	if st := r.Stats(); st.ManifestHEAD != 1 || st.Requests != 2 {
		t.Errorf("stats: %s", st)
	}
}

func TestConcurrentCallersShareOneLookup(t *testing.T) {
	h := newHub(t)
	h.srv.SetFaults(testregistry.Faults{Latency: 20 * time.Millisecond})
	r := h.resolver()
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ref := "python:3.12"
			if i%2 == 1 {
				ref = "docker.io/library/python:3.12"
			}
			if res := r.Resolve(context.Background(), Request{Ref: ref}); res.Err != nil {
				t.Error(res.Err)
			}
		}()
	}
	wg.Wait()
	if st := r.Stats(); st.ManifestHEAD != 1 || st.Pings != 1 {
		t.Errorf("40 concurrent callers: %s; want 1 HEAD, 1 ping", st)
	}
}

func TestPlatform(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	py := h.digest("library/python:3.12")

	res := mustResolve(t, r, Request{Ref: "python:3.12", Platform: "linux/arm64"})
	if res.Digest != h.child("library/python:3.12", "linux/arm64/v8") || res.Kind != KindManifest || res.Platform != "linux/arm64/v8" || res.Index != py {
		t.Errorf("arm64: %+v", res)
	}
	res = mustResolve(t, r, Request{Ref: "python:3.12", Platform: "linux/amd64"})
	if res.Digest != h.child("library/python:3.12", "linux/amd64") || res.Platform != "linux/amd64" {
		t.Errorf("amd64: %+v", res)
	}
	// Both platforms came from one GET of the index, with no HEAD.
	if st := r.Stats(); st.ManifestGET != 1 || st.ManifestHEAD != 0 || st.Blob != 0 {
		t.Errorf("stats: %s; want 1 manifest GET", st)
	}
	// The index digest now comes from that GET, without a HEAD.
	if res := mustResolve(t, r, Request{Ref: "python:3.12"}); res.Digest != py || r.Stats().ManifestHEAD != 0 {
		t.Errorf("index after GET: %+v, %s", res, r.Stats())
	}
	res = mustResolve(t, r, Request{Ref: "alpine:3.19", Platform: "linux/arm/v7"})
	if res.Digest != h.child("library/alpine:3.19", "linux/arm/v7") {
		t.Errorf("arm/v7 from a manifest list: %+v", res)
	}

	res = r.Resolve(context.Background(), Request{Ref: "python:3.12", Platform: "linux/s390x"})
	wantFail(t, res, ReasonNoPlatform)
	if !strings.Contains(res.Err.Error(), "linux/amd64, linux/arm64/v8") {
		t.Errorf("no-match error does not list what there is: %v", res.Err)
	}

	// A single manifest is pinned for a platform only if its config says so.
	res = mustResolve(t, r, Request{Ref: "team/app:1.0", Platform: "linux/amd64"})
	if res.Digest != h.digest("team/app:1.0") || res.Kind != KindManifest || res.Platform != "linux/amd64" {
		t.Errorf("single manifest: %+v", res)
	}
	wantFail(t, r.Resolve(context.Background(), Request{Ref: "team/app:1.0", Platform: "linux/arm64"}), ReasonNoPlatform)
	wantFail(t, r.Resolve(context.Background(), Request{Ref: "team/bare:1", Platform: "linux/amd64"}), ReasonNoPlatform)
	if res := mustResolve(t, r, Request{Ref: "team/oci:1", Platform: "linux/arm64/v8"}); res.Digest != h.digest("team/oci:1") {
		t.Errorf("OCI single manifest: %+v", res)
	}

	// WithPlatform makes platform pins the default; KindIndex overrides.
	rp := h.resolver(WithPlatform("linux/arm64/v8"))
	if res := mustResolve(t, rp, Request{Ref: "python:3.12"}); res.Digest != h.child("library/python:3.12", "linux/arm64/v8") {
		t.Errorf("default platform: %+v", res)
	}
	if res := mustResolve(t, rp, Request{Ref: "python:3.12", Kind: KindIndex}); res.Digest != py || res.Kind != KindIndex {
		t.Errorf("KindIndex with a default platform: %+v", res)
	}
	wantFail(t, rp.Resolve(context.Background(), Request{Ref: "python:3.12", Platform: "linux"}), ReasonInvalid)
}

func TestChildForAmbiguous(t *testing.T) {
	mk := func(d string, p string) v1.Descriptor {
		pl, _ := v1.ParsePlatform(p)
		return v1.Descriptor{MediaType: "application/vnd.oci.image.manifest.v1+json", Digest: v1.Hash{Algorithm: "sha256", Hex: strings.Repeat(d, 64)}, Platform: pl}
	}
	im := v1.IndexManifest{SchemaVersion: 2, Manifests: []v1.Descriptor{mk("a", "linux/amd64"), mk("b", "linux/amd64"), mk("c", "linux/arm64"), mk("c", "linux/arm64/v8")}}
	raw, _ := json.Marshal(im)
	m := manifestInfo{digest: "sha256:" + strings.Repeat("f", 64), raw: raw}
	if _, err := childFor(m, "linux/amd64"); classify(err) != ReasonAmbiguousPlatform {
		t.Errorf("two amd64 children: %v", err)
	}
	// The same digest listed twice (arm64 and arm64/v8 are one platform) is
	// one match.
	if d, err := childFor(m, "linux/arm64/v8"); err != nil || d.Digest.Hex != strings.Repeat("c", 64) {
		t.Errorf("arm64: %v, %v", d, err)
	}
}

func TestKindConstraint(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	wantFail(t, r.Resolve(context.Background(), Request{Ref: "team/app:1.0", Kind: KindIndex}), ReasonKindChanged)
	wantFail(t, r.Resolve(context.Background(), Request{Ref: "python:3.12", Kind: KindManifest}), ReasonInvalid)
	wantFail(t, r.Resolve(context.Background(), Request{Ref: "python:3.12", Kind: "image"}), ReasonInvalid)
	if res := mustResolve(t, r, Request{Ref: "python:3.12", Kind: KindManifest, Platform: "linux/amd64"}); res.Kind != KindManifest {
		t.Errorf("manifest: %+v", res)
	}
}

func TestFailuresAreValues(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	ctx := context.Background()
	wantFail(t, r.Resolve(ctx, Request{Ref: "python:9.99"}), ReasonNotFound)
	wantFail(t, r.Resolve(ctx, Request{Ref: "nosuch/repo:1"}), ReasonNotFound)
	// A missing tag is a plain answer: no GET to "find out more".
	if st := r.Stats(); st.ManifestGET != 0 || st.ManifestHEAD != 2 {
		t.Errorf("stats after 404s: %s", st)
	}
	for _, ref := range []string{"", "${BASE}", "Python:3", "python@sha256:" + strings.Repeat("a", 64)} {
		wantFail(t, r.Resolve(ctx, Request{Ref: ref}), ReasonInvalid)
	}
	// Failures are cached like successes: one request per run.
	wantFail(t, r.Resolve(ctx, Request{Ref: "python:9.99"}), ReasonNotFound)
	if got := h.srv.Count(http.MethodHead, "/manifests/9.99"); got != 1 {
		t.Errorf("missing tag looked up %d times", got)
	}

	// A batch with failures still resolves the rest, in order.
	results := resolveAll(ctx, r, []Request{{Ref: "python:9.99"}, {Ref: "python:3.12"}, {Ref: "$X"}, {Ref: "team/app:1.0"}})
	for i, want := range []Reason{ReasonNotFound, "", ReasonInvalid, ""} {
		if results[i].Reason != want || (want == "") != (results[i].Err == nil) {
			t.Errorf("batch result %d: %+v, want reason %q", i, results[i], want)
		}
	}
}

func TestRetries(t *testing.T) {
	ctx := context.Background()
	t.Run("503 then success", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Fail503: 2})
		r := h.resolver()
		mustResolve(t, r, Request{Ref: "python:3.12"})
		if st := r.Stats(); st.Retries != 2 || st.ManifestHEAD != 3 {
			t.Errorf("stats: %s; want 3 HEADs, 2 retries", st)
		}
	})
	t.Run("503 persists", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Fail503: 100})
		r := h.resolver()
		wantFail(t, r.Resolve(ctx, Request{Ref: "python:3.12"}), ReasonUnavailable)
		if got := h.srv.Count(http.MethodHead, "/manifests/"); got != fast.Attempts {
			t.Errorf("%d HEADs, want %d attempts", got, fast.Attempts)
		}
		if h.srv.Count(http.MethodGet, "/manifests/") != 0 {
			t.Error("a 503 on HEAD fell back to GET")
		}
	})
	t.Run("429 honours Retry-After", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Fail429: 1, RetryAfter: 3 * time.Second})
		var s sleeps
		r := h.resolver(s.option())
		mustResolve(t, r, Request{Ref: "python:3.12"})
		if w := s.all(); len(w) != 1 || w[0] != 3*time.Second {
			t.Errorf("waits %v, want [3s] from Retry-After", w)
		}
	})
	t.Run("429 with a Retry-After beyond the cap", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Fail429: 1, RetryAfter: time.Hour})
		var s sleeps
		r := h.resolver(s.option())
		wantFail(t, r.Resolve(ctx, Request{Ref: "python:3.12"}), ReasonRateLimited)
		if w := s.all(); len(w) != 0 {
			t.Errorf("waited %v for an hour-long Retry-After", w)
		}
	})
	t.Run("429 with Retry-After, for real", func(t *testing.T) {
		if testing.Short() {
			t.Skip("waits a real second")
		}
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Fail429: 1, RetryAfter: time.Second})
		r := h.resolver()
		mustResolve(t, r, Request{Ref: "python:3.12"})
		if st := r.Stats(); st.Retries != 1 {
			t.Errorf("stats: %s", st)
		}
	})
	t.Run("connection reset", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Reset: 2})
		r := h.resolver()
		mustResolve(t, r, Request{Ref: "python:3.12"})
		// Go's transport may itself retry an idempotent request once on
		// a reused connection, unseen above it; the registry sees all.
		if st := r.Stats(); st.Retries < 1 || h.srv.Count(http.MethodHead, "/manifests/") != 3 {
			t.Errorf("stats: %s; registry saw %d HEADs, want 3", st, h.srv.Count(http.MethodHead, "/manifests/"))
		}
	})
	t.Run("503 on the ping", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/v2/", Fail503: 1})
		r := h.resolver()
		mustResolve(t, r, Request{Ref: "python:3.12"})
	})
}

func TestTimeouts(t *testing.T) {
	ctx := context.Background()
	t.Run("a stalled response is retried", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Stall: 1, StallFor: time.Minute})
		r := h.resolver(WithTimeouts(Timeouts{ResponseHeader: 100 * time.Millisecond}))
		mustResolve(t, r, Request{Ref: "python:3.12"})
		if st := r.Stats(); st.Retries != 1 || st.ManifestHEAD != 2 {
			t.Errorf("stats: %s", st)
		}
	})
	t.Run("always stalled", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Stall: 100, StallFor: time.Minute})
		r := h.resolver(WithTimeouts(Timeouts{ResponseHeader: 50 * time.Millisecond}))
		wantFail(t, r.Resolve(ctx, Request{Ref: "python:3.12"}), ReasonTimeout)
	})
	t.Run("lookup deadline", func(t *testing.T) {
		h := newHub(t)
		h.srv.SetFaults(testregistry.Faults{Match: "/manifests/", Stall: 100, StallFor: time.Minute})
		r := h.resolver(WithTimeouts(Timeouts{Lookup: 150 * time.Millisecond}))
		wantFail(t, r.Resolve(ctx, Request{Ref: "python:3.12"}), ReasonTimeout)
	})
}

func TestCanceledIsNotCached(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, res := range resolveAll(ctx, r, []Request{{Ref: "python:3.12"}, {Ref: "team/app:1.0"}}) {
		wantFail(t, res, ReasonCanceled)
	}
	mustResolve(t, r, Request{Ref: "python:3.12"})
}

func TestTokenAuth(t *testing.T) {
	ctx := context.Background()
	t.Run("anonymous tokens", func(t *testing.T) {
		h := newHub(t, testregistry.WithTokenAuth(testregistry.Auth{}))
		r := h.resolver()
		for _, ref := range []string{"python:3.12", "alpine:3.19", "python:3.12"} {
			mustResolve(t, r, Request{Ref: ref})
		}
		if st := r.Stats(); st.Tokens != 2 || st.ManifestHEAD != 2 || st.Pings != 1 {
			t.Errorf("stats: %s; want one token per repository, one ping", st)
		}
	})
	t.Run("credentials from the keychain", func(t *testing.T) {
		h := newHub(t, testregistry.WithTokenAuth(testregistry.Auth{Username: "robot", Password: "s3cr3t-pa55"}))
		mustResolve(t, h.resolver(WithKeychain(staticKeychain{"robot", "s3cr3t-pa55"})), Request{Ref: "python:3.12"})

		r := h.resolver(WithKeychain(staticKeychain{"robot", "wr0ng-pa55"}))
		res := r.Resolve(ctx, Request{Ref: "python:3.12"})
		wantFail(t, res, ReasonUnauthorized)
		msg := fmt.Sprint(res.Err) + fmt.Sprintf("%+v", res)
		for _, secret := range []string{"wr0ng-pa55", base64.StdEncoding.EncodeToString([]byte("robot:wr0ng-pa55"))} {
			if strings.Contains(msg, secret) {
				t.Errorf("error shows a credential: %s", msg)
			}
		}
	})
	t.Run("credentials from DOCKER_CONFIG", func(t *testing.T) {
		h := newHub(t, testregistry.WithTokenAuth(testregistry.Auth{Username: "robot", Password: "s3cr3t-pa55"}))
		dir := t.TempDir()
		cfg := fmt.Sprintf(`{"auths": {%q: {"auth": %q}}}`, h.srv.Host(), base64.StdEncoding.EncodeToString([]byte("robot:s3cr3t-pa55")))
		if err := os.WriteFile(filepath.Join(dir, "config.json"), []byte(cfg), 0o600); err != nil {
			t.Fatal(err)
		}
		t.Setenv("HOME", t.TempDir())
		t.Setenv("DOCKER_CONFIG", dir)
		r, err := New(WithMirror("docker.io", h.srv.URL()), WithRetry(fast)) // authn.DefaultKeychain
		if err != nil {
			t.Fatal(err)
		}
		mustResolve(t, r, Request{Ref: "python:3.12"})
	})
}

func TestPlainHTTPPolicy(t *testing.T) {
	if _, err := New(WithMirror("docker.io", "http://10.1.2.3:5000")); err == nil {
		t.Error("a plain-HTTP mirror on a private address was accepted without --insecure-registry")
	}
	if _, err := New(WithMirror("docker.io", "http://10.1.2.3:5000"), WithInsecureRegistry("10.1.2.3:5000")); err != nil {
		t.Errorf("insecure registry named: %v", err)
	}
	if _, err := New(WithMirror("docker.io", "http://mirror.internal"), WithInsecureRegistry("mirror.internal")); err != nil {
		t.Errorf("insecure registry by host name: %v", err)
	}

	// A reference naming a private address directly: go-containerregistry
	// would fall back to plain HTTP; the guard refuses before the network.
	var mu sync.Mutex
	var seen []string
	fake := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		mu.Lock()
		seen = append(seen, req.URL.Scheme+"://"+req.URL.Host)
		mu.Unlock()
		return nil, errors.New("unreachable in tests")
	})
	r, err := New(WithTransport(fake), WithRetry(Retry{Attempts: 1}), WithKeychain(staticKeychain{"u", "p"}))
	if err != nil {
		t.Fatal(err)
	}
	res := r.Resolve(context.Background(), Request{Ref: "192.168.1.10:5000/team/app:1"})
	if res.Err == nil {
		t.Fatal("resolved through a fake network")
	}
	for _, u := range seen {
		if strings.HasPrefix(u, "http://") {
			t.Errorf("plain HTTP request sent to %s", u)
		}
	}

	// A mirror named with http:// is never tried over HTTPS.
	h := newHub(t)
	rm := h.resolver()
	mustResolve(t, rm, Request{Ref: "python:3.12"})
	if st := rm.Stats(); st.Pings != 1 || st.Requests != 2 {
		t.Errorf("stats: %s; want exactly one ping and one HEAD", st)
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(req *http.Request) (*http.Response, error) { return f(req) }

func TestConcurrencyBounds(t *testing.T) {
	h := newHub(t)
	var lines []string
	var reqs []Request
	for i := range 24 {
		lines = append(lines, fmt.Sprintf("bulk/img%d:1 image", i))
		reqs = append(reqs, Request{Ref: fmt.Sprintf("bulk/img%d:1", i)})
	}
	h.seed(lines...)
	h.srv.SetFaults(testregistry.Faults{Latency: 15 * time.Millisecond})
	for _, tc := range []struct{ conc, perHost, want int }{{3, 0, 3}, {8, 2, 2}} {
		f := &inflight{inner: http.DefaultTransport, perHost: map[string]int{}, maxHost: map[string]int{}}
		opts := []Option{WithTransport(f), WithConcurrency(tc.conc)}
		if tc.perHost > 0 {
			opts = append(opts, WithRegistryConcurrency(tc.perHost))
		}
		r := h.resolver(opts...)
		for _, res := range resolveAll(context.Background(), r, reqs) {
			if res.Err != nil {
				t.Fatal(res.Err)
			}
		}
		if f.max > tc.want {
			t.Errorf("concurrency %d, per registry %d: %d requests in flight", tc.conc, tc.perHost, f.max)
		}
	}
	for _, bad := range []Option{WithConcurrency(0), WithRegistryConcurrency(-1), WithTimeouts(Timeouts{Dial: -1}), WithRetry(Retry{Attempts: -1}), WithPlatform("nope")} {
		if _, err := New(bad); err == nil {
			t.Error("an invalid option was accepted")
		}
	}
}

var clock = func() time.Time { return time.Date(2026, 11, 28, 2, 16, 0, 0, time.UTC) }

func TestLockfileAndOffline(t *testing.T) {
	h := newHub(t)
	lock := lockfile.New()
	r := h.resolver(WithLockfile(lock), WithClock(clock))
	ctx := context.Background()
	mustResolve(t, r, Request{Ref: "python:3.12"})
	mustResolve(t, r, Request{Ref: "docker.io/library/python:3.12", Platform: "linux/arm64"})
	mustResolve(t, r, Request{Ref: "team/app:1.0"})
	wantFail(t, r.Resolve(ctx, Request{Ref: "python:9.99"}), ReasonNotFound)

	want := []lockfile.Entry{
		{Reference: "docker.io/library/python:3.12", Digest: h.digest("library/python:3.12"), Kind: KindIndex, Resolved: clock()},
		{Reference: "docker.io/library/python:3.12", Platform: "linux/arm64/v8", Digest: h.child("library/python:3.12", "linux/arm64/v8"), Kind: KindManifest, Index: h.digest("library/python:3.12"), Resolved: clock()},
		{Reference: "docker.io/team/app:1.0", Digest: h.digest("team/app:1.0"), Kind: KindManifest, Resolved: clock()},
	}
	got := lock.Entries()
	if len(got) != len(want) {
		t.Fatalf("lock entries: %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	path := filepath.Join(t.TempDir(), "dockmend.lock")
	if err := lock.Save(path); err != nil {
		t.Fatal(err)
	}
	loaded, err := lockfile.Load(path)
	if err != nil {
		t.Fatal(err)
	}

	if _, err := New(WithOffline()); err == nil {
		t.Error("offline without a lock file was accepted")
	}
	off, err := New(WithOffline(), WithLockfile(loaded), WithTransport(noNetwork{t}), WithMirror("docker.io", h.srv.URL()))
	if err != nil {
		t.Fatal(err)
	}
	h.srv.ResetLog()
	res := off.Resolve(ctx, Request{Ref: "python:3.12"})
	if res.Err != nil || res.Digest != want[0].Digest || res.Source != FromLockfile || !res.Resolved.Equal(clock()) {
		t.Errorf("offline python:3.12: %+v", res)
	}
	if res := off.Resolve(ctx, Request{Ref: "registry-1.docker.io/python:3.12", Platform: "linux/arm64/v8"}); res.Digest != want[1].Digest || res.Platform != "linux/arm64/v8" || res.Index != want[1].Index {
		t.Errorf("offline arm64: %+v", res)
	}
	wantFail(t, off.Resolve(ctx, Request{Ref: "python:3.12", Platform: "linux/amd64"}), ReasonOffline)
	wantFail(t, off.Resolve(ctx, Request{Ref: "alpine:3.19"}), ReasonOffline)
	wantFail(t, off.Resolve(ctx, Request{Ref: "team/app:1.0", Kind: KindIndex}), ReasonKindChanged)

	// Describe and Refresh offline use the lock file only.
	if d, err := off.Describe(ctx, "python", want[1].Digest); err != nil || d.Kind != KindManifest || d.Platform != "linux/arm64/v8" {
		t.Errorf("offline Describe(child) = %+v, %v", d, err)
	}
	if d, err := off.Describe(ctx, "python:3.12@"+want[0].Digest, ""); err != nil || d.Kind != KindIndex {
		t.Errorf("offline Describe(index) = %+v, %v", d, err)
	}
	if _, err := off.Describe(ctx, "python", "sha256:"+strings.Repeat("9", 64)); err == nil || err.(*Error).Reason != ReasonOffline {
		t.Errorf("offline Describe(unknown) error = %v", err)
	}
	if res := off.Refresh(ctx, "python:3.12@"+want[1].Digest); res.Err != nil || res.Digest != want[1].Digest || res.Changed() {
		t.Errorf("offline Refresh(arm64 pin) = %+v", res)
	}
	wantFail(t, off.Refresh(ctx, "python:3.12@sha256:"+strings.Repeat("9", 64)), ReasonOffline)

	if st := off.Stats(); st.Requests != 0 {
		t.Errorf("offline stats: %s", st)
	}
	if n := len(h.srv.Log()); n != 0 {
		t.Errorf("the registry saw %d requests while offline", n)
	}
}

func TestDescribe(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	ctx := context.Background()
	for _, tc := range []struct {
		ref, digest string
		kind        Kind
		platform    string
	}{
		{"python", h.digest("library/python:3.12"), KindIndex, ""},
		{"python:anything", h.child("library/python:3.12", "linux/arm64/v8"), KindManifest, "linux/arm64/v8"},
		{"alpine", h.child("library/alpine:3.19", "linux/arm/v7"), KindManifest, "linux/arm/v7"},
		{"team/app", h.digest("team/app:1.0"), KindManifest, "linux/amd64"},
		{"team/bare", h.digest("team/bare:1"), KindManifest, ""},
	} {
		d, err := r.Describe(ctx, tc.ref, tc.digest)
		if err != nil || d.Kind != tc.kind || d.Platform != tc.platform || d.Digest != tc.digest {
			t.Errorf("Describe(%s@%s) = %+v, %v; want %s %q", tc.ref, tc.digest, d, err, tc.kind, tc.platform)
		}
	}
	if _, err := r.Describe(ctx, "python", "sha256:"+strings.Repeat("9", 64)); err == nil || err.(*Error).Reason != ReasonNotFound {
		t.Errorf("Describe(missing) error = %v", err)
	}
	if _, err := r.Describe(ctx, "python", "nope"); err == nil {
		t.Error("Describe accepted an invalid digest")
	}
}

func TestRefresh(t *testing.T) {
	ctx := context.Background()
	pyIdx := "library/python:3.12 index linux/amd64 linux/arm64/v8"

	t.Run("current index pin: one HEAD", func(t *testing.T) {
		h := newHub(t)
		r := h.resolver()
		res := r.Refresh(ctx, "python:3.12@"+h.digest("library/python:3.12"))
		if res.Err != nil || res.Changed() || res.Kind != KindIndex || res.Previous != h.digest("library/python:3.12") {
			t.Errorf("%+v", res)
		}
		if st := r.Stats(); st.ManifestHEAD != 1 || st.ManifestGET != 0 {
			t.Errorf("stats: %s", st)
		}
	})
	t.Run("stale index pin: two HEADs", func(t *testing.T) {
		h := newHub(t)
		old := h.digest("library/python:3.12")
		h.seed(pyIdx + " gen=1")
		r := h.resolver()
		res := r.Refresh(ctx, "python:3.12@"+old)
		if res.Err != nil || !res.Changed() || res.Digest != h.digest("library/python:3.12") || res.Kind != KindIndex || res.Previous != old {
			t.Errorf("%+v", res)
		}
		if st := r.Stats(); st.ManifestHEAD != 2 || st.ManifestGET != 0 {
			t.Errorf("stats: %s", st)
		}
	})
	t.Run("current platform pin", func(t *testing.T) {
		h := newHub(t)
		r := h.resolver()
		old := h.child("library/python:3.12", "linux/arm64/v8")
		res := r.Refresh(ctx, "python:3.12@"+old)
		if res.Err != nil || res.Changed() || res.Platform != "linux/arm64/v8" || res.Kind != KindManifest {
			t.Errorf("%+v", res)
		}
		if st := r.Stats(); st.Blob != 0 || st.ManifestGET != 1 {
			t.Errorf("stats: %s; want the index GET only", st)
		}
	})
	t.Run("stale platform pin keeps its platform", func(t *testing.T) {
		h := newHub(t)
		old := h.child("library/python:3.12", "linux/arm64/v8")
		h.seed(pyIdx + " gen=1")
		r := h.resolver()
		res := r.Refresh(ctx, "docker.io/library/python:3.12@"+old)
		if res.Err != nil || !res.Changed() || res.Digest != h.child("library/python:3.12", "linux/arm64/v8") || res.Platform != "linux/arm64/v8" || res.Kind != KindManifest {
			t.Errorf("%+v", res)
		}
	})
	t.Run("platform gone", func(t *testing.T) {
		h := newHub(t)
		old := h.child("library/python:3.12", "linux/arm64/v8")
		h.seed("library/python:3.12 index linux/amd64 linux/s390x gen=1")
		wantFail(t, h.resolver().Refresh(ctx, "python:3.12@"+old), ReasonNoPlatform)
	})
	t.Run("index became a single manifest", func(t *testing.T) {
		h := newHub(t)
		old := h.digest("library/python:3.12")
		h.seed("library/python:3.12 image linux/amd64")
		wantFail(t, h.resolver().Refresh(ctx, "python:3.12@"+old), ReasonKindChanged)
	})
	t.Run("single manifest without platform stays single", func(t *testing.T) {
		h := newHub(t)
		old := h.digest("team/bare:1")
		h.seed("team/bare:1 image gen=1")
		res := h.resolver().Refresh(ctx, "team/bare:1@"+old)
		if res.Err != nil || !res.Changed() || res.Digest != h.digest("team/bare:1") || res.Kind != KindManifest {
			t.Errorf("%+v", res)
		}
	})
	t.Run("manifest of unknown platform, tag now an index", func(t *testing.T) {
		h := newHub(t)
		old := h.digest("team/bare:1")
		h.seed("team/bare:1 index")
		wantFail(t, h.resolver().Refresh(ctx, "team/bare:1@"+old), ReasonPlatformUnknown)
	})
	t.Run("single manifest with a platform, tag now an index", func(t *testing.T) {
		h := newHub(t)
		old := h.digest("team/app:1.0")
		h.seed("team/app:1.0 index linux/amd64 linux/arm64/v8")
		res := h.resolver().Refresh(ctx, "team/app:1.0@"+old)
		if res.Err != nil || res.Digest != h.child("team/app:1.0", "linux/amd64") || res.Platform != "linux/amd64" {
			t.Errorf("%+v", res)
		}
	})
	t.Run("lock file knows the old digest", func(t *testing.T) {
		h := newHub(t)
		lock := lockfile.New()
		mustResolve(t, h.resolver(WithLockfile(lock)), Request{Ref: "python:3.12", Platform: "linux/amd64"})
		old := h.child("library/python:3.12", "linux/amd64")
		h.seed(pyIdx + " gen=1")
		r := h.resolver(WithLockfile(lock))
		res := r.Refresh(ctx, "python:3.12@"+old)
		if res.Err != nil || res.Digest != h.child("library/python:3.12", "linux/amd64") {
			t.Errorf("%+v", res)
		}
		if st := r.Stats(); st.ManifestHEAD != 0 || st.ManifestGET != 1 || st.Blob != 0 {
			t.Errorf("stats: %s; want the new index GET only", st)
		}
		if e, _ := lock.Lookup("docker.io/library/python:3.12", "linux/amd64"); e.Digest != res.Digest {
			t.Errorf("lock not updated: %+v", e)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		h := newHub(t)
		r := h.resolver()
		wantFail(t, r.Refresh(ctx, "python:3.12"), ReasonInvalid)
		wantFail(t, r.Refresh(ctx, "python@"+h.digest("library/python:3.12")), ReasonInvalid)
		wantFail(t, r.Resolve(ctx, Request{Ref: "python:3.12@" + h.digest("library/python:3.12"), Refresh: true, Platform: "linux/amd64"}), ReasonInvalid)
		if res := r.Resolve(ctx, Request{Ref: "python:3.12@" + h.digest("library/python:3.12"), Refresh: true}); res.Err != nil || res.Previous == "" {
			t.Errorf("Refresh through Resolve: %+v", res)
		}
	})
}

// A registry that refuses HEAD, or answers it without a digest or with a
// generic media type, gets a GET instead.
func TestHeadRefusedFallsBackToGet(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fault testregistry.Faults
		heads int64
	}{
		{"405", testregistry.Faults{RefuseHead: true}, 1},
		{"no digest header", testregistry.Faults{HideDigest: true}, 1},
		{"generic content type", testregistry.Faults{GenericContentType: true}, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHub(t)
			h.srv.SetFaults(tc.fault)
			r := h.resolver()
			for _, want := range []struct {
				ref, repoTag string
				kind         Kind
			}{{"python:3.12", "library/python:3.12", KindIndex}, {"alpine:3.19", "library/alpine:3.19", KindIndex}, {"team/app:1.0", "team/app:1.0", KindManifest}} {
				res := mustResolve(t, r, Request{Ref: want.ref})
				if res.Digest != h.digest(want.repoTag) || res.Kind != want.kind {
					t.Errorf("%s: %+v", want.ref, res)
				}
			}
			if st := r.Stats(); st.ManifestHEAD != 3*tc.heads || st.ManifestGET != 3 {
				t.Errorf("stats: %s; want a HEAD then a GET per tag", st)
			}
			// Describe falls back the same way.
			d, err := r.Describe(context.Background(), "python", h.child("library/python:3.12", "linux/amd64"))
			if err != nil || d.Kind != KindManifest || d.Platform != "linux/amd64" {
				t.Errorf("Describe: %+v, %v", d, err)
			}
		})
	}
}

// A registry whose ping fails is asked once per run, not once per
// repository.
func TestFailedPingIsRemembered(t *testing.T) {
	var mu sync.Mutex
	pings := 0
	rt := roundTripFunc(func(req *http.Request) (*http.Response, error) {
		if req.URL.Host != "127.0.0.1:1" {
			t.Errorf("unexpected request to %s", req.URL)
		}
		mu.Lock()
		pings++
		mu.Unlock()
		return &http.Response{StatusCode: 503, Status: "503 Service Unavailable", Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	})
	r, err := New(WithTransport(rt), WithMirror("docker.io", "http://127.0.0.1:1"), WithRetry(fast), WithKeychain(staticKeychain{}))
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range resolveAll(context.Background(), r, []Request{{Ref: "a:1"}, {Ref: "b:1"}, {Ref: "c:1"}, {Ref: "c:2"}}) {
		wantFail(t, res, ReasonUnavailable)
	}
	if pings != fast.Attempts {
		t.Errorf("%d pings sent, want %d (one ping, retried)", pings, fast.Attempts)
	}
}
