package testregistry

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"
)

func start(t *testing.T, opts ...Option) *Server {
	t.Helper()
	s, err := Start(opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func head(t *testing.T, url string, hdr map[string]string) *http.Response {
	t.Helper()
	req, _ := http.NewRequest(http.MethodHead, url, nil)
	req.Header.Set("Accept", "application/vnd.oci.image.index.v1+json,application/vnd.docker.distribution.manifest.list.v2+json,application/vnd.oci.image.manifest.v1+json,application/vnd.docker.distribution.manifest.v2+json")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp
}

func TestParseSpec(t *testing.T) {
	imgs, err := ParseSpec(strings.NewReader(`
# comment
library/python:3.12 index linux/amd64 linux/arm64/v8
library/alpine:3.19 list
team/app:1.0 image linux/amd64 gen=2
team/bare:latest
oci/app:1 oci-image linux/arm/v7
`))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"library/python:3.12 index linux/amd64 linux/arm64/v8",
		"library/alpine:3.19 list linux/amd64 linux/arm64/v8",
		"team/app:1.0 image linux/amd64 gen=2",
		"team/bare:latest image",
		"oci/app:1 oci-image linux/arm/v7",
	}
	if len(imgs) != len(want) {
		t.Fatalf("got %d images", len(imgs))
	}
	for i, img := range imgs {
		if img.String() != want[i] {
			t.Errorf("image %d = %q, want %q", i, img, want[i])
		}
	}
	for _, bad := range []string{"nocolon", "a:1 index gen=x", "a:1 weird", "a:1 image linux/amd64 linux/arm64", "a:1 index list", "host:5000/a"} {
		if _, err := ParseImage(bad); err == nil {
			t.Errorf("ParseImage(%q) succeeded", bad)
		}
	}
}

func TestSeedDeterministicAndMove(t *testing.T) {
	ctx := context.Background()
	a, b := start(t), start(t)
	img := Image{Repo: "library/python", Tag: "3.12", Kind: KindIndex, Platforms: []string{"linux/amd64", "linux/arm64/v8"}}
	sa, err := a.Seed(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	sb, err := b.Seed(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	if sa[0].Digest != sb[0].Digest || sa[0].ChildDigest("linux/arm64/v8") != sb[0].ChildDigest("linux/arm64/v8") {
		t.Errorf("same spec gave different digests: %+v vs %+v", sa[0], sb[0])
	}
	if len(sa[0].Children) != 2 || sa[0].MediaType != "application/vnd.oci.image.index.v1+json" {
		t.Errorf("seeded index = %+v", sa[0])
	}
	resp := head(t, a.URL()+"/v2/library/python/manifests/3.12", nil)
	if resp.StatusCode != 200 || resp.Header.Get("Docker-Content-Digest") != sa[0].Digest {
		t.Fatalf("HEAD = %d %q, want %s", resp.StatusCode, resp.Header.Get("Docker-Content-Digest"), sa[0].Digest)
	}
	if n := len(a.Log()); n != 1 {
		t.Errorf("log has %d requests, want 1 (seeding is not logged)", n)
	}

	img.Generation = 1
	moved, err := a.Seed(ctx, img)
	if err != nil {
		t.Fatal(err)
	}
	if moved[0].Digest == sa[0].Digest {
		t.Fatal("a new generation kept the digest")
	}
	resp = head(t, a.URL()+"/v2/library/python/manifests/3.12", nil)
	if resp.Header.Get("Docker-Content-Digest") != moved[0].Digest {
		t.Errorf("tag did not move: %s", resp.Header.Get("Docker-Content-Digest"))
	}
	// The old digest is still there, by digest.
	if resp := head(t, a.URL()+"/v2/library/python/manifests/"+sa[0].Digest, nil); resp.StatusCode != 200 {
		t.Errorf("old index by digest: %d", resp.StatusCode)
	}

	// Push over the network (what the command does) skips the faults.
	a.SetFaults(Faults{Fail503: 100})
	if _, err := Push(ctx, a.Host(), Image{Repo: "team/app", Tag: "1", Kind: KindList}); err != nil {
		t.Fatal(err)
	}
	if resp := head(t, a.URL()+"/v2/team/app/manifests/1", nil); resp.StatusCode != 503 {
		t.Errorf("with faults, HEAD = %d, want 503", resp.StatusCode)
	}
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	s := start(t, WithFaults(Faults{Match: "/manifests/", Fail429: 1, RetryAfter: 1500 * time.Millisecond, Fail503: 1, Reset: 1}))
	if _, err := s.Seed(ctx, Image{Repo: "a/b", Tag: "1"}); err != nil {
		t.Fatal(err)
	}
	url := s.URL() + "/v2/a/b/manifests/1"
	// A ping does not match and is not counted.
	if resp := head(t, s.URL()+"/v2/", nil); resp.StatusCode != 200 {
		t.Errorf("ping = %d", resp.StatusCode)
	}
	req, _ := http.NewRequest(http.MethodHead, url, nil)
	_, err := (&http.Transport{}).RoundTrip(req)
	if err == nil || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF")) {
		t.Errorf("reset: err = %v", err)
	}
	resp := head(t, url, nil)
	if resp.StatusCode != 429 || resp.Header.Get("Retry-After") != "2" {
		t.Errorf("429: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if resp := head(t, url, nil); resp.StatusCode != 503 {
		t.Errorf("503: %d", resp.StatusCode)
	}
	if resp := head(t, url, nil); resp.StatusCode != 200 {
		t.Errorf("after faults: %d", resp.StatusCode)
	}
	if got := s.Count(http.MethodHead, "/manifests/"); got != 4 {
		t.Errorf("Count(HEAD manifests) = %d, want 4", got)
	}

	// A stalled request ends when the client gives up.
	s.SetFaults(Faults{Stall: 1, StallFor: time.Hour})
	cctx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(cctx, http.MethodHead, url, nil)
	if _, err := http.DefaultClient.Do(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stall: err = %v", err)
	}
}

func TestTokenAuth(t *testing.T) {
	ctx := context.Background()
	s := start(t, WithTokenAuth(Auth{Username: "u", Password: "p"}))
	if _, err := s.Seed(ctx, Image{Repo: "a/b", Tag: "1"}); err != nil {
		t.Fatal(err)
	}
	resp := head(t, s.URL()+"/v2/a/b/manifests/1", nil)
	if resp.StatusCode != 401 || !strings.Contains(resp.Header.Get("WWW-Authenticate"), `scope="repository:a/b:pull"`) {
		t.Fatalf("unauthenticated: %d %q", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	get := func(user, pass string) (int, string) {
		req, _ := http.NewRequest(http.MethodGet, s.URL()+"/token?service=testregistry&scope=repository:a/b:pull", nil)
		if user != "" {
			req.SetBasicAuth(user, pass)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var body struct{ Token string }
		json.NewDecoder(resp.Body).Decode(&body)
		return resp.StatusCode, body.Token
	}
	if code, _ := get("u", "wrong"); code != 401 {
		t.Errorf("bad password: %d", code)
	}
	code, tok := get("u", "p")
	if code != 200 || tok == "" {
		t.Fatalf("token: %d %q", code, tok)
	}
	if resp := head(t, s.URL()+"/v2/a/b/manifests/1", map[string]string{"Authorization": "Bearer " + tok}); resp.StatusCode != 200 {
		t.Errorf("with token: %d", resp.StatusCode)
	}
	if resp := head(t, s.URL()+"/v2/other/repo/manifests/1", map[string]string{"Authorization": "Bearer " + tok}); resp.StatusCode != 401 {
		t.Errorf("token used for another repository: %d", resp.StatusCode)
	}
}

func TestStartRejectsNonLoopback(t *testing.T) {
	if _, err := Start(WithAddr("0.0.0.0:0")); err == nil {
		t.Error("Start on 0.0.0.0 succeeded")
	}
}

// TestHostileFaults checks the faults that stand for hostile or broken
// registries: endless redirects, a lying digest header, and errors that
// echo the credentials they were sent.
func TestHostileFaults(t *testing.T) {
	ctx := context.Background()
	s := start(t)
	seeded, err := s.Seed(ctx, Image{Repo: "a/b", Tag: "1"})
	if err != nil {
		t.Fatal(err)
	}
	url := s.URL() + "/v2/a/b/manifests/1"
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	location := func() string {
		t.Helper()
		resp, err := noFollow.Head(url + "?hop=4")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusTemporaryRedirect {
			t.Fatalf("status %d, want 307", resp.StatusCode)
		}
		return resp.Header.Get("Location")
	}
	s.SetFaults(Faults{Redirect: RedirectSelf})
	if got := location(); got != "/v2/a/b/manifests/1?hop=4" {
		t.Errorf("self redirect to %q", got)
	}
	s.SetFaults(Faults{Redirect: RedirectChain})
	if got := location(); got != "/v2/a/b/manifests/1?hop=5" {
		t.Errorf("chain redirect to %q", got)
	}

	bad := "sha256:" + strings.Repeat("e", 64)
	s.SetFaults(Faults{HeadDigest: bad})
	if resp := head(t, url, nil); resp.Header.Get("Docker-Content-Digest") != bad {
		t.Errorf("HEAD digest %q, want %q", resp.Header.Get("Docker-Content-Digest"), bad)
	}
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("Docker-Content-Digest"); got != seeded[0].Digest {
		t.Errorf("GET digest %q, want the true %q", got, seeded[0].Digest)
	}

	s.SetFaults(Faults{EchoAuth: true, Match: "/manifests/"})
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	req.Header.Set("Authorization", "Basic c2VjcmV0")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || !strings.Contains(string(body), "credentials c2VjcmV0 are") {
		t.Errorf("echo: %d %s", resp.StatusCode, body)
	}
	if resp := head(t, url, nil); resp.StatusCode != 200 {
		t.Errorf("echo without credentials: %d", resp.StatusCode)
	}
}
