package resolve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/v1/remote/transport"
	"github.com/google/go-containerregistry/pkg/v1/types"

	"github.com/dockmend/dockmend/internal/imageref"
)

type tagInfo struct {
	digest, mediaType string
	kind              Kind
	err               error
}

type manifestInfo struct {
	digest, mediaType string
	kind              Kind
	raw               []byte
	err               error
}

// fetchRepo returns the repository to contact for p: through its mirror, if
// any, with the scheme policy applied.
func (r *Resolver) fetchRepo(p ref) (name.Repository, error) {
	host, repo := p.registry, p.repo
	if host == dockerHub {
		host = name.DefaultRegistry
	}
	var opts []name.Option
	if m, ok := r.o.mirrors[p.registry]; ok {
		host, repo = m.host, path.Join(m.prefix, p.repo)
		if m.scheme == "http" || (m.scheme == "" && r.o.isInsecure(m.host)) {
			opts = append(opts, name.Insecure)
		}
	} else if r.o.isInsecure(host) {
		opts = append(opts, name.Insecure)
	}
	return name.NewRepository(host+"/"+repo, opts...)
}

// head returns the digest of a tag (or digest) id in p's repository: one
// HEAD, or a GET when the registry refuses HEAD or the manifest was fetched
// already.
func (r *Resolver) head(ctx context.Context, p ref, id string) tagInfo {
	return r.heads.do(p.key(id), func() (tagInfo, bool) {
		if m, ok := r.gets.peek(p.key(id)); ok && m.err == nil {
			return tagInfo{digest: m.digest, mediaType: m.mediaType, kind: m.kind}, true
		}
		target, err := r.target(p, id)
		if err != nil {
			return tagInfo{err: withReason(ReasonInvalid, err)}, true
		}
		desc, err := r.puller.Head(ctx, target)
		if err == nil {
			// A digest of another algorithm, or a media type that says
			// nothing, is no answer: the manifest's own hash is.
			if k, ok := kindOf(desc.MediaType); ok && imageref.IsSHA256(desc.Digest.String()) {
				return tagInfo{digest: desc.Digest.String(), mediaType: string(desc.MediaType), kind: k}, true
			}
		} else if !headRefused(err) {
			return tagInfo{err: err}, !isCanceled(err)
		}
		m := r.get(ctx, p, id)
		return tagInfo{digest: m.digest, mediaType: m.mediaType, kind: m.kind, err: m.err}, !isCanceled(m.err)
	})
}

// get fetches the manifest of a tag (or digest) id in p's repository.
func (r *Resolver) get(ctx context.Context, p ref, id string) manifestInfo {
	return r.gets.do(p.key(id), func() (manifestInfo, bool) {
		target, err := r.target(p, id)
		if err != nil {
			return manifestInfo{err: withReason(ReasonInvalid, err)}, true
		}
		m := r.fetchManifest(ctx, target)
		return m, !isCanceled(m.err)
	})
}

// target returns the reference to contact for a tag or digest in p's
// repository.
func (r *Resolver) target(p ref, id string) (name.Reference, error) {
	repo, err := r.fetchRepo(p)
	if err != nil {
		return nil, err
	}
	if strings.Contains(id, ":") {
		return repo.Digest(id), nil
	}
	return repo.Tag(id), nil
}

func (r *Resolver) fetchManifest(ctx context.Context, ref name.Reference) manifestInfo {
	desc, err := r.puller.Get(ctx, ref)
	if err != nil {
		return manifestInfo{err: err}
	}
	m := manifestInfo{digest: desc.Digest.String(), mediaType: string(desc.MediaType), raw: desc.Manifest}
	k, ok := kindOf(desc.MediaType)
	if !ok {
		// Some registries and proxies send a generic Content-Type: look
		// at the document itself.
		var doc struct {
			MediaType types.MediaType `json:"mediaType"`
			Manifests []any           `json:"manifests"`
			Config    *any            `json:"config"`
		}
		if json.Unmarshal(desc.Manifest, &doc) == nil {
			switch k, ok = kindOf(doc.MediaType); {
			case ok:
				m.mediaType = string(doc.MediaType)
			case doc.Manifests != nil:
				k, ok = KindIndex, true
			case doc.Config != nil:
				k, ok = KindManifest, true
			}
		}
	}
	if !ok {
		return manifestInfo{err: withReason(ReasonUnsupported, fmt.Errorf("%s: unsupported manifest type %q", ref, desc.MediaType))}
	}
	m.kind = k
	return m
}

func kindOf(mt types.MediaType) (Kind, bool) {
	switch mt {
	case types.OCIImageIndex, types.DockerManifestList:
		return KindIndex, true
	case types.OCIManifestSchema1, types.DockerManifestSchema2:
		return KindManifest, true
	}
	return "", false
}

// headRefused reports whether a failed HEAD is worth a GET: not when the
// registry answered plainly (missing, forbidden, rate limited, down) or the
// caller gave up.
func headRefused(err error) bool {
	if isCanceled(err) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var pe *policyError
	var le *limitError
	if errors.As(err, &pe) || errors.As(err, &le) {
		return false
	}
	var te *transport.Error
	if errors.As(err, &te) {
		switch {
		case te.StatusCode == http.StatusNotFound, te.StatusCode == http.StatusUnauthorized,
			te.StatusCode == http.StatusForbidden, te.StatusCode == http.StatusTooManyRequests,
			te.StatusCode >= 500:
			return false
		}
		return true
	}
	// Missing headers and the like: the server answered, a GET may do.
	return !isNetworkError(err)
}

func isNetworkError(err error) bool {
	switch classify(err) {
	case ReasonNetwork, ReasonTimeout:
		return true
	}
	return false
}

func isCanceled(err error) bool { return err != nil && errors.Is(err, context.Canceled) }
