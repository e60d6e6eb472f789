package resolve

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// manyTags gives team/many 1,205 tags: t0000 ... t1204.
func manyTags(t *testing.T, h *hub) []string {
	t.Helper()
	h.seed("team/many:t0000 image linux/amd64")
	var tags []string
	for i := range 1205 {
		tags = append(tags, fmt.Sprintf("t%04d", i))
	}
	if err := h.srv.Tag(context.Background(), "team/many", "t0000", tags[1:]...); err != nil {
		t.Fatal(err)
	}
	h.srv.ResetLog()
	return tags
}

// go-containerregistry's registry pages without Link headers and answers
// last=<final tag> with the first page again: the listing must end, with
// every tag, after one page more than the tags fill.
func TestTagsPagingWithoutLink(t *testing.T) {
	h := newHub(t)
	want := manyTags(t, h)
	r := h.resolver()
	got, err := r.Tags(context.Background(), "docker.io/team/many", TagLimits{PageSize: 100})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Tags, want) || got.Truncated != "" {
		t.Fatalf("got %d tags (truncated %q), want %d", len(got.Tags), got.Truncated, len(want))
	}
	// 13 pages hold 1,205 tags; the 14th (last=t1204) repeats the first.
	if got.Pages != 14 || h.srv.Count("GET", "/tags/list") != 14 {
		t.Errorf("pages %d, requests %d; want 14", got.Pages, h.srv.Count("GET", "/tags/list"))
	}
	// Once per run.
	if _, err := r.Tags(context.Background(), "team/many:latest", TagLimits{PageSize: 100}); err != nil || h.srv.Count("GET", "/tags/list") != 14 {
		t.Errorf("second listing: %v, %d requests", err, h.srv.Count("GET", "/tags/list"))
	}
	// Without n (a registry that ignores it returns everything): one page,
	// then a repeated one.
	got, err = h.resolver().Tags(context.Background(), "team/many", TagLimits{PageSize: 5000})
	if err != nil || len(got.Tags) != 1205 || got.Pages != 2 {
		t.Errorf("one page: %v, %d tags in %d pages", err, len(got.Tags), got.Pages)
	}
	// Limits stop it, and say so.
	got, err = h.resolver().Tags(context.Background(), "team/many", TagLimits{PageSize: 100, MaxTags: 250})
	if err != nil || len(got.Tags) != 300 || got.Truncated != "stopped at 300 tags" {
		t.Errorf("max tags: %v %d %q", err, len(got.Tags), got.Truncated)
	}
	got, err = h.resolver().Tags(context.Background(), "team/many", TagLimits{PageSize: 100, MaxPages: 3})
	if err != nil || len(got.Tags) != 300 || got.Truncated != "stopped after 3 pages" {
		t.Errorf("max pages: %v %d %q", err, len(got.Tags), got.Truncated)
	}
}

// A registry that sends Link headers is followed, relative links
// included, and never to another host.
func TestTagsLinkHeaders(t *testing.T) {
	h := newHub(t)
	want := manyTags(t, h)
	target, _ := url.Parse(h.srv.URL())
	evil := ""
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(resp *http.Response) error {
		q := resp.Request.URL.Query()
		if !strings.HasSuffix(resp.Request.URL.Path, "/tags/list") || resp.StatusCode != http.StatusOK {
			return nil
		}
		// The proxy pages by 50 itself, whatever n says, with a Link.
		resp.Body.Close()
		last := q.Get("last")
		var page []string
		for _, tg := range want {
			if tg > last && len(page) < 50 {
				page = append(page, tg)
			}
		}
		list, _ := json.Marshal(page)
		out := `{"name":"team/many","tags":` + string(list) + `}`
		if len(page) == 50 {
			next := "/v2/team/many/tags/list?n=50&last=" + page[49]
			if evil != "" {
				next = evil + next
			}
			resp.Header.Set("Link", "<"+next+`>; rel="next"`)
		}
		resp.Body = io.NopCloser(strings.NewReader(out))
		resp.ContentLength = int64(len(out))
		resp.Header.Set("Content-Length", fmt.Sprint(len(out)))
		return nil
	}
	front := httptest.NewServer(proxy)
	defer front.Close()
	r, err := New(WithMirror("docker.io", front.URL), WithRetry(fast))
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.Tags(context.Background(), "team/many", TagLimits{})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Tags, want) || got.Pages != 26 {
		t.Errorf("got %d tags in %d pages; want %d in 26 (25 with a Link, then an empty one)", len(got.Tags), got.Pages, len(want))
	}
	evil = "http://127.0.0.2:1"
	r, _ = New(WithMirror("docker.io", front.URL), WithRetry(fast))
	if _, err := r.Tags(context.Background(), "team/many", TagLimits{}); err == nil || !strings.Contains(err.Error(), "refusing a next page on another host") {
		t.Errorf("cross-host Link: %v", err)
	}
}

func TestManifestAndBlob(t *testing.T) {
	h := newHub(t)
	r := h.resolver()
	m, err := r.Manifest(context.Background(), "python:3.12", "3.12")
	if err != nil {
		t.Fatal(err)
	}
	if m.Kind != KindIndex || m.Digest != h.digest("library/python:3.12") || !strings.Contains(string(m.Raw), "linux") {
		t.Errorf("manifest %+v", m)
	}
	// The GET answers a later HEAD of the same tag.
	before := h.srv.Count("HEAD", "")
	if res := r.Resolve(context.Background(), Request{Ref: "python:3.12"}); res.Err != nil || res.Digest != m.Digest {
		t.Errorf("resolve: %v %s", res.Err, res.Digest)
	}
	if h.srv.Count("HEAD", "") != before {
		t.Error("a HEAD was sent for a manifest already fetched")
	}
	child, err := r.Manifest(context.Background(), "python", h.child("library/python:3.12", "linux/amd64"))
	if err != nil || child.Kind != KindManifest {
		t.Fatalf("child: %v %+v", err, child)
	}
	i := strings.Index(string(child.Raw), `"config"`)
	j := strings.Index(string(child.Raw[i:]), "sha256:")
	cfg := string(child.Raw[i+j : i+j+71])
	rc, err := r.Blob(context.Background(), "python", cfg)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := io.ReadAll(rc)
	rc.Close()
	if !strings.Contains(string(data), `"architecture":"amd64"`) {
		t.Errorf("config: %s", data)
	}
	if _, err := r.Manifest(context.Background(), "python", "nosuchtag"); err == nil {
		t.Error("a missing tag was fetched")
	}
}
