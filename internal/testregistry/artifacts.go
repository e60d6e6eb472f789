package testregistry

import (
	"context"
	"fmt"

	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/remote"
)

// PushImage pushes any image (built with go-containerregistry's mutate,
// with real layers) as repo:tag, bypassing faults, authentication and the
// request log, and returns its digest.
func (s *Server) PushImage(ctx context.Context, repo, tag string, img v1.Image) (string, error) {
	ref, err := name.NewTag(s.Host()+"/"+repo+":"+tag, name.Insecure, name.StrictValidation)
	if err != nil {
		return "", err
	}
	if err := remote.Write(ref, img, remote.WithTransport(handlerTransport{s.reg}), remote.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("pushing %s:%s: %w", repo, tag, err)
	}
	d, err := img.Digest()
	return d.String(), err
}

// PushIndex pushes any index (annotations, attestation manifests and all)
// as repo:tag, like PushImage, and returns its digest.
func (s *Server) PushIndex(ctx context.Context, repo, tag string, idx v1.ImageIndex) (string, error) {
	ref, err := name.NewTag(s.Host()+"/"+repo+":"+tag, name.Insecure, name.StrictValidation)
	if err != nil {
		return "", err
	}
	if err := remote.WriteIndex(ref, idx, remote.WithTransport(handlerTransport{s.reg}), remote.WithContext(ctx)); err != nil {
		return "", fmt.Errorf("pushing %s:%s: %w", repo, tag, err)
	}
	d, err := idx.Digest()
	return d.String(), err
}

// Tag points more tags of repo at the manifest that tag src names (a tag
// or a digest), without pushing anything else: a repository with
// thousands of tags costs one manifest upload per tag.
func (s *Server) Tag(ctx context.Context, repo, src string, tags ...string) error {
	opts := []remote.Option{remote.WithTransport(handlerTransport{s.reg}), remote.WithContext(ctx)}
	sep := ":"
	if len(src) > 7 && src[:7] == "sha256:" {
		sep = "@"
	}
	from, err := name.ParseReference(s.Host()+"/"+repo+sep+src, name.Insecure)
	if err != nil {
		return err
	}
	desc, err := remote.Get(from, opts...)
	if err != nil {
		return fmt.Errorf("tagging %s%s%s: %w", repo, sep, src, err)
	}
	for _, t := range tags {
		to, err := name.NewTag(s.Host()+"/"+repo+":"+t, name.Insecure)
		if err != nil {
			return err
		}
		if err := remote.Put(to, desc, opts...); err != nil {
			return fmt.Errorf("tagging %s:%s: %w", repo, t, err)
		}
	}
	return nil
}
