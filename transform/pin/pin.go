package pin

import (
	"context"
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "pin"

// Resolver looks digests up in registries or in a lock file.
// *resolve.Resolver is the implementation dockmend uses; tests may use any.
//
// The rule asks again on every pass over every file, so a Resolver must
// remember its answers, failures included, for the run, and let
// concurrent callers of one lookup share it, as *resolve.Resolver does.
type Resolver interface {
	// Resolve answers one request: a tag's digest (Request.Ref as written,
	// Request.Platform for a platform's manifest), or, with
	// Request.Refresh, the current digest of the kind pinned in
	// Request.Ref. A failure is a Result with Err set.
	Resolve(ctx context.Context, req resolve.Request) resolve.Result
}

// Options configure the rule.
type Options struct {
	// Resolver looks digests up. Without one every reference is reported
	// as not resolvable. Give the platform in Platform below, not with
	// resolve.WithPlatform, so that # syntax= images keep their index.
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
	// Concurrency bounds the lookups Prepare runs at once; 0 means
	// resolve.DefaultConcurrency.
	Concurrency int
	// BuildContexts are the names of the build's named contexts (docker
	// build --build-context NAME=...): a FROM, COPY --from or mount
	// from= that names one gets the context, not an image, and is not
	// pinned. Names are matched as buildkit matches them: "alpine",
	// "docker.io/library/alpine" and "alpine:latest" are one name.
	BuildContexts []string
	// OfflineMissFails makes a reference the offline lock file does not
	// know a failure (Finding.Failed), as a failed lookup is. Without it
	// that is a plain finding, so that check exits 1; migrate sets it, so
	// that the file is reported as not fixed and --only-failed retries it.
	OfflineMissFails bool
}

// New returns the pin transformer configured by opts.
func New(opts Options) *transform.Transformer {
	if opts.Resolver == nil {
		opts.Resolver = noResolver{}
	}
	return &transform.Transformer{
		Name:    Name,
		Doc:     transform.MustExtractDoc(doc, Name),
		Default: true,
		// Every reference of the run is looked up first, each once and
		// in parallel; the passes then find the answers in the resolver.
		Prepare: func(ctx context.Context, files []*source.File) error { return prefetch(ctx, opts, files) },
		Run:     func(p *transform.Pass) error { return run(p, &opts) },
	}
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
		verb := "cannot resolve"
		if s.ref.Digest != "" {
			verb = "cannot check the pin of"
		}
		fd.Message = fmt.Sprintf("%s %s: %s%s", verb, name, errText(st.err), contextHint(s, st.reason))
		// Offline, a reference the lock file does not know is a finding
		// (check exits 1), not work the rule could not do.
		fd.Failed = st.reason != resolve.ReasonOffline || opts.OfflineMissFails
	case noMatch:
		fd.Message = fmt.Sprintf("cannot refresh %s: %s", name, errText(st.err))
		fd.Failed = true
	case noTag:
		fd.Message = fmt.Sprintf("%s is pinned but has no tag to refresh", s.ref.Text)
	case unpinned:
		fd.Message = name + " is not pinned to a digest"
		var notes []string
		if s.ref.Tag == "" {
			notes = append(notes, fmt.Sprintf("no tag: the fix pins %s:%s", s.ref.Name, imageref.DefaultTag))
		}
		if st.want.Platform != "" {
			notes = append(notes, st.want.Platform+" manifest")
		}
		if len(notes) > 0 {
			fd.Message += " (" + strings.Join(notes, "; ") + ")"
		}
		if s.target != nil {
			at := s.target.insertAt()
			pinned := "@" + st.want.Digest
			if s.ref.Tag == "" {
				// The tag docker pulls, written out: refreshing the pin
				// later needs a tag, and a reader sees what was pinned.
				pinned = ":" + imageref.DefaultTag + pinned
			}
			fd.Fix = &transform.Fix{
				Message: "pin to " + st.want.Digest,
				Edits:   []transform.Edit{{Start: at, End: at, New: pinned}},
			}
		}
	case stale:
		what := "the tag now points to"
		if st.want.Kind == resolve.KindManifest && st.want.Platform != "" {
			what = "its " + st.want.Platform + " manifest is now"
		}
		fd.Message = fmt.Sprintf("%s is pinned to %s but %s %s", name, short(s.ref.Digest), what, short(st.want.Digest))
		fixNote := ""
		if st.want.PreviousGone {
			fd.Message = fmt.Sprintf("%s is pinned to %s, which the registry no longer has; the tag now points to %s", name, short(s.ref.Digest), short(st.want.Digest))
			fixNote = " (the tag's own digest: the old pin's kind cannot be told)"
		}
		switch {
		case s.target == nil:
			fd.Message += "; not refreshed: " + s.noTarget.reason()
		case !opts.Refresh:
			fd.Message += " (update it with --refresh)"
		default:
			if a, b, ok := s.target.suffix(len(s.ref.Digest)); ok {
				fd.Fix = &transform.Fix{
					Message: "refresh to " + st.want.Digest + fixNote,
					Edits:   []transform.Edit{{Start: a, End: b, New: st.want.Digest}},
				}
			} else {
				fd.Message += "; not refreshed: the digest is split across lines"
			}
		}
	}
	return fd, true
}

// contextHint is added to a failed lookup of a single word without a tag,
// such as COPY --from=assets, that the registry does not know: it may be a
// named build context.
func contextHint(s *site, reason resolve.Reason) string {
	if s.place == placeSyntax || s.ref.Tag != "" || s.ref.Digest != "" || !contextLike.MatchString(s.ref.Name) {
		return ""
	}
	switch reason {
	case resolve.ReasonNotFound, resolve.ReasonUnauthorized:
	default:
		return ""
	}
	return fmt.Sprintf("; if %s is a build context (--build-context %s=...), declare it with --build-context %s or build-contexts in .dockmend.yaml", s.ref.Name, s.ref.Name, s.ref.Name)
}

// contextLike matches a name with no registry and no namespace.
var contextLike = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)

// short abbreviates a digest for messages: "sha256:" and 12 hex digits.
func short(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}
