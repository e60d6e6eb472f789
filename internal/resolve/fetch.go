package resolve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
)

// This file gives other commands (dockmend base, the tag rule) what they
// need beyond digests, through the same mirrors, credentials, limits,
// retries, request counts and per-run cache as the pin rule's lookups:
// manifests, blobs and tag lists.

// Manifest is a manifest as a registry served it.
type Manifest struct {
	// Digest is the manifest's digest.
	Digest string
	// MediaType is its media type.
	MediaType string
	// Kind says whether it is an index or a single manifest.
	Kind Kind
	// Raw is the manifest document.
	Raw []byte
}

// Manifest fetches the manifest of id, a tag or a "sha256:…" digest, in
// reference's repository (reference's own tag and digest are ignored). It
// shares the Resolver's cache with Resolve: a manifest is fetched once per
// run, and a later HEAD of the same tag is answered from it.
func (r *Resolver) Manifest(ctx context.Context, reference, id string) (Manifest, error) {
	p, err := parseRef(reference)
	if err != nil {
		return Manifest{}, newError(reference, withReason(ReasonInvalid, err))
	}
	if r.o.offline {
		return Manifest{}, newError(reference, withReason(ReasonOffline, errors.New("offline: manifests are not in the lock file")))
	}
	ctx, cancel := context.WithTimeout(ctx, r.o.timeouts.Lookup)
	defer cancel()
	m := r.get(ctx, p, id)
	if m.err != nil {
		return Manifest{}, newError(reference, m.err)
	}
	return Manifest{Digest: m.digest, MediaType: m.mediaType, Kind: m.kind, Raw: m.raw}, nil
}

// Blob opens the blob digest (an image config or a layer) of reference's
// repository, as stored (compressed). The caller reads as much as it
// wants and closes it; nothing is cached. The lookup deadline does not
// apply: ctx bounds the read.
func (r *Resolver) Blob(ctx context.Context, reference, digest string) (io.ReadCloser, error) {
	p, err := parseRef(reference)
	if err != nil {
		return nil, newError(reference, withReason(ReasonInvalid, err))
	}
	if r.o.offline {
		return nil, newError(reference, withReason(ReasonOffline, errors.New("offline: blobs cannot be read")))
	}
	repo, err := r.fetchRepo(p)
	if err != nil {
		return nil, newError(reference, withReason(ReasonInvalid, err))
	}
	l, err := r.puller.Layer(ctx, repo.Digest(digest))
	if err != nil {
		return nil, newError(reference, err)
	}
	rc, err := l.Compressed()
	if err != nil {
		return nil, newError(reference, err)
	}
	return rc, nil
}

// TagLimits bound a tag listing. Zero fields keep their defaults.
type TagLimits struct {
	// PageSize is the n asked for per page (default 1000).
	PageSize int
	// MaxTags stops the listing after this many tags (default 20,000).
	MaxTags int
	// MaxPages stops it after this many requests (default 100).
	MaxPages int
}

// Tags is a repository's tag list.
type Tags struct {
	// Tags are the tags in the order the registry listed them.
	Tags []string
	// Pages is the number of requests the listing took.
	Pages int
	// Truncated, when not empty, says why the list may be incomplete.
	Truncated string
}

type tagsInfo struct {
	tags Tags
	err  error
}

// Tags lists the tags of reference's repository, once per run. It follows
// Link headers (on the same host only) and, where a registry sends none,
// asks for the page after the last tag seen (?last=), stopping at an empty
// page or a page with no tag not seen before: go-containerregistry's own
// registry answers a last= past the final tag with the first page again.
// The listing is bounded by limits.
func (r *Resolver) Tags(ctx context.Context, reference string, limits TagLimits) (Tags, error) {
	p, err := parseRef(reference)
	if err != nil {
		return Tags{}, newError(reference, withReason(ReasonInvalid, err))
	}
	if r.o.offline {
		return Tags{}, newError(reference, withReason(ReasonOffline, errors.New("offline: tags cannot be listed")))
	}
	limits.PageSize = cmpOr(limits.PageSize, 1000)
	limits.MaxTags = cmpOr(limits.MaxTags, 20000)
	limits.MaxPages = cmpOr(limits.MaxPages, 100)
	key := fmt.Sprintf("%s|%d|%d|%d", p.repository(), limits.PageSize, limits.MaxTags, limits.MaxPages)
	ti := r.tags.do(key, func() (tagsInfo, bool) {
		lctx, cancel := context.WithTimeout(ctx, r.o.timeouts.Lookup)
		defer cancel()
		t, err := r.listTags(lctx, p, limits)
		return tagsInfo{t, err}, !isCanceled(err)
	})
	if ti.err != nil {
		return ti.tags, newError(reference, ti.err)
	}
	return ti.tags, nil
}

func cmpOr(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

func (r *Resolver) listTags(ctx context.Context, p ref, limits TagLimits) (Tags, error) {
	repo, err := r.fetchRepo(p)
	if err != nil {
		return Tags{}, withReason(ReasonInvalid, err)
	}
	auth, err := authn.Resolve(ctx, r.o.keychain, repo)
	if err != nil {
		return Tags{}, err
	}
	tr, err := transport.NewWithContext(ctx, repo.Registry, auth, r.rt, []string{repo.Scope(transport.PullScope)})
	if err != nil {
		return Tags{}, err
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		if len(via) >= 5 {
			return errors.New("more than 5 redirects")
		}
		return nil
	}}
	base := &url.URL{Scheme: repo.Scheme(), Host: repo.RegistryStr(), Path: "/v2/" + repo.RepositoryStr() + "/tags/list"}
	page := func(last string) string {
		q := url.Values{"n": {fmt.Sprint(limits.PageSize)}}
		if last != "" {
			q.Set("last", last)
		}
		u := *base
		u.RawQuery = q.Encode()
		return u.String()
	}
	var out Tags
	seen := map[string]bool{}
	next := page("")
	for {
		if out.Pages >= limits.MaxPages {
			out.Truncated = fmt.Sprintf("stopped after %d pages", out.Pages)
			return out, nil
		}
		out.Pages++
		tags, link, err := getTagPage(ctx, client, next, base)
		if err != nil {
			return out, err
		}
		fresh := 0
		for _, t := range tags {
			if t != "" && !seen[t] {
				seen[t] = true
				out.Tags = append(out.Tags, t)
				fresh++
			}
		}
		switch {
		case fresh == 0:
			return out, nil // empty, or a page seen before: the end
		case len(out.Tags) >= limits.MaxTags:
			out.Truncated = fmt.Sprintf("stopped at %d tags", len(out.Tags))
			return out, nil
		case link != "":
			next = link
		default:
			next = page(tags[len(tags)-1])
		}
	}
}

// getTagPage fetches one page of a tag list and returns its tags and the
// next page's URL from a Link header, if any (same host as base only).
func getTagPage(ctx context.Context, client *http.Client, u string, base *url.URL) ([]string, string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, "", err
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	if err := transport.CheckError(resp, http.StatusOK); err != nil {
		return nil, "", err
	}
	var body struct {
		Tags []string `json:"tags"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, 16<<20)).Decode(&body); err != nil {
		return nil, "", fmt.Errorf("reading the tag list: %w", err)
	}
	link := ""
	if h := resp.Header.Get("Link"); h != "" {
		target, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(h), "<"), ">")
		next, err := resp.Request.URL.Parse(target)
		if err != nil {
			return nil, "", fmt.Errorf("tag list: bad Link header %q", h)
		}
		if !strings.EqualFold(next.Host, base.Host) || next.Scheme != base.Scheme {
			return nil, "", fmt.Errorf("tag list: refusing a next page on another host: %s", next.Redacted())
		}
		link = next.String()
	}
	return body.Tags, link, nil
}
