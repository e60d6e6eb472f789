package pin

import (
	"context"
	_ "embed"
	"errors"
	"fmt"

	"github.com/dockmend/dockmend/internal/lockfile"
	"github.com/dockmend/dockmend/transform"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "pin"

// DefaultConcurrency bounds Prefetch's parallel lookups when
// Options.Concurrency is not set.
const DefaultConcurrency = 8

// Resolver looks digests up in registries (or in a lock file). The
// implementation used by dockmend is internal/resolve; tests may use any.
//
// A Resolver is called once per reference on every pass over every file,
// so it should remember its answers, failures included, for the run: New
// and Prefetch wrap a Resolver that is not already a Cache in one.
type Resolver interface {
	// Resolve returns what ref, a canonical name with a tag
	// ("docker.io/library/python:3.12"), points to. With platform "" it
	// is the tag's own digest: an index for a multi-platform tag. With a
	// platform "os/arch[/variant]" it is that platform's manifest: the
	// matching child of an index, or the tag's own manifest if it is a
	// single manifest for that platform. No match is an error.
	Resolve(ctx context.Context, ref, platform string) (Descriptor, error)
	// Describe tells what digest names in the repository repo
	// ("docker.io/library/python"): an index, or a manifest and the
	// platform it is for.
	Describe(ctx context.Context, repo, digest string) (Descriptor, error)
}

// Descriptor is what a digest names.
type Descriptor struct {
	// Digest is "sha256:<64 hex>".
	Digest string
	// Kind says whether Digest names an index or a single manifest.
	Kind lockfile.Kind
	// Platform is a manifest's "os/arch[/variant]"; "" for an index or
	// when unknown.
	Platform string
}

// Options configure the rule.
type Options struct {
	// Resolver looks digests up. Without one every reference is reported
	// as not resolvable.
	Resolver Resolver
	// BuildArgs are the --build-arg values: they replace the defaults of
	// the global ARGs of the same names.
	BuildArgs map[string]string
	// Refresh lets fixes replace stale digests. Without it a stale pin is
	// only reported.
	Refresh bool
	// Platform, "os/arch[/variant]", pins new references to that
	// platform's manifest instead of the tag's multi-platform index.
	Platform string
	// Concurrency bounds Prefetch's parallel lookups; 0 means
	// DefaultConcurrency.
	Concurrency int
}

// New returns the pin transformer configured by opts.
func New(opts Options) *transform.Transformer {
	opts.Resolver = Cache(opts.Resolver)
	return &transform.Transformer{
		Name:    Name,
		Doc:     transform.MustExtractDoc(doc, Name),
		Default: true,
		Run:     func(p *transform.Pass) error { return run(p, &opts) },
	}
}

// errNoResolver is the answer of a missing Resolver.
var errNoResolver = errors.New("no registry access configured")

type noResolver struct{}

func (noResolver) Resolve(context.Context, string, string) (Descriptor, error) {
	return Descriptor{}, errNoResolver
}

func (noResolver) Describe(context.Context, string, string) (Descriptor, error) {
	return Descriptor{}, errNoResolver
}

// run reports one finding per image reference that is not pinned, is
// pinned to a stale digest, cannot be looked up, or cannot be pinned.
func run(p *transform.Pass, opts *Options) error {
	for _, s := range collect(p.File, opts) {
		if err := p.Context.Err(); err != nil {
			return err
		}
		if fd, ok := judge(p.Context, s, opts); ok {
			p.Report(fd)
		}
	}
	return nil
}

// judge looks s up and returns its finding, if any.
func judge(ctx context.Context, s *site, opts *Options) (transform.Finding, bool) {
	fd := transform.Finding{Start: s.start, End: s.end}
	if s.skip != nil {
		fd.Message = fmt.Sprintf("%s is not pinned: %s", s.text, s.skip.reason())
		return fd, true
	}
	name := s.ref.Familiar()
	if s.via != "" {
		name += " (" + s.via + ")"
	}
	st := lookup(ctx, opts.Resolver, s.ref, s.platform)
	switch st.state {
	case fresh:
		return fd, false
	case failed:
		fd.Message = fmt.Sprintf("cannot resolve %s: %v", name, st.err)
	case noTag:
		fd.Message = fmt.Sprintf("%s is pinned but has no tag to refresh", s.ref.Text)
	case unpinned:
		fd.Message = name + " is not pinned to a digest"
		switch {
		case s.ref.Tag == "":
			fd.Message += fmt.Sprintf(" (no tag: resolved tag %s)", s.ref.TagOrDefault())
		case s.platform != "":
			fd.Message += fmt.Sprintf(" (%s manifest)", s.platform)
		}
		if s.target != nil {
			at := s.target.insertAt()
			fd.Fix = &transform.Fix{
				Message: "pin to " + st.want.Digest,
				Edits:   []transform.Edit{{Start: at, End: at, New: "@" + st.want.Digest}},
			}
		}
	case stale:
		fd.Message = fmt.Sprintf("%s is pinned to %s but the tag now points to %s", name, short(s.ref.Digest), short(st.want.Digest))
		if st.want.Kind == lockfile.KindManifest && st.want.Platform != "" {
			fd.Message = fmt.Sprintf("%s is pinned to %s but its %s manifest is now %s", name, short(s.ref.Digest), st.want.Platform, short(st.want.Digest))
		}
		switch {
		case s.target == nil:
			fd.Message += "; not refreshed: " + s.noTarget.reason()
		case !opts.Refresh:
			fd.Message += " (refresh with --refresh)"
		default:
			if a, b, ok := s.target.suffix(len(s.ref.Digest)); ok {
				fd.Fix = &transform.Fix{
					Message: "refresh to " + st.want.Digest,
					Edits:   []transform.Edit{{Start: a, End: b, New: st.want.Digest}},
				}
			} else {
				fd.Message += "; not refreshed: the digest is split across lines"
			}
		}
	case noMatch:
		fd.Message = fmt.Sprintf("cannot refresh %s: %v", name, st.err)
	}
	return fd, true
}

// short abbreviates a digest for messages: "sha256:" and 12 hex digits.
func short(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}
