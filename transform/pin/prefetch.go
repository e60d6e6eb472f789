package pin

import (
	"context"

	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/source"
)

// Query is one image reference the rule will look up.
type Query struct {
	// Ref is the reference after ARG expansion, as written
	// ("python:3.12", "ubuntu@sha256:...").
	Ref string
	// Canonical is the name the resolver is asked about
	// ("docker.io/library/python:3.12").
	Canonical string
	// Platform is the platform a new pin is for; "" for the tag's own
	// digest.
	Platform string
}

// Queries returns the lookups pinning f needs, without duplicates, in
// source order. References that cannot be pinned are left out.
func Queries(f *source.File, opts Options) []Query {
	var out []Query
	seen := map[Query]bool{}
	for _, s := range collect(f, &opts) {
		if s.skip != nil {
			continue
		}
		q := Query{Ref: s.ref.Text, Canonical: s.ref.Canonical(), Platform: s.platform}
		if s.ref.Digest != "" {
			q.Canonical += "@" + s.ref.Digest
		}
		if !seen[q] {
			seen[q] = true
			out = append(out, q)
		}
	}
	return out
}

// prefetch is the rule's Prepare: it looks up every reference of files,
// each distinct one once, at most opts.Concurrency at a time, so that the
// rule then finds every answer in opts.Resolver. Failed lookups are not
// errors here: the rule reports them. It returns an error only when ctx
// ends.
func prefetch(ctx context.Context, opts Options, files []*source.File) error {
	if opts.Resolver == nil {
		return ctx.Err()
	}
	n := opts.Concurrency
	if n <= 0 {
		n = resolve.DefaultConcurrency
	}
	type key struct{ ref, platform string }
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(n)
	seen := map[key]bool{}
	for _, f := range files {
		for _, s := range collect(f, &opts) {
			if s.skip != nil {
				continue
			}
			k := key{s.ref.Canonical() + "@" + s.ref.Digest, s.platform}
			if seen[k] {
				continue
			}
			seen[k] = true
			ref, platform := s.ref, s.platform
			g.Go(func() error {
				lookup(gctx, opts.Resolver, ref, platform)
				return gctx.Err()
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return ctx.Err()
}
