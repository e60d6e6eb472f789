package tag

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/tagver"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/pin"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "tag"

// DefaultCandidates is how many tags are checked at most per reference.
const DefaultCandidates = 20

// Registry is what the rule asks registries; *resolve.Resolver implements
// it. Answers must be remembered for the run (the rule asks on every
// pass), as *resolve.Resolver does.
type Registry interface {
	Resolve(ctx context.Context, req resolve.Request) resolve.Result
	Manifest(ctx context.Context, reference, id string) (resolve.Manifest, error)
	Tags(ctx context.Context, reference string, limits resolve.TagLimits) (resolve.Tags, error)
}

// Options configure the rule.
type Options struct {
	// Registry answers lookups; without one every reference is reported
	// as not resolvable.
	Registry Registry
	// BuildArgs are the --build-arg values.
	BuildArgs map[string]string
	// Candidates caps the tags checked per reference (default
	// DefaultCandidates).
	Candidates int
}

// New returns the tag transformer.
func New(opts Options) *transform.Transformer {
	if opts.Candidates <= 0 {
		opts.Candidates = DefaultCandidates
	}
	return &transform.Transformer{
		Name:    Name,
		Doc:     transform.MustExtractDoc(doc, Name),
		Default: false,
		Level:   severity.Style,
		Run:     func(p *transform.Pass) error { return run(p, &opts) },
	}
}

func run(p *transform.Pass, opts *Options) error {
	for _, r := range pin.References(p.File, pin.Options{BuildArgs: opts.BuildArgs}) {
		if err := p.Context.Err(); err != nil {
			return err
		}
		if r.Skip != "" || r.Place == "# syntax" {
			continue
		}
		if fd, ok := judge(p.Context, r, opts); ok {
			p.Report(fd)
		}
	}
	return nil
}

// judge finds the precise tag of one reference.
func judge(ctx context.Context, r pin.Reference, opts *Options) (transform.Finding, bool) {
	fd := transform.Finding{Start: r.Start, End: r.End}
	ref := r.Ref
	cur := tagver.Parse(ref.Tag)
	if cur.IsVersion() && len(cur.Version) >= 3 || cur.Prerelease() {
		return fd, false // precise enough already
	}
	if opts.Registry == nil {
		fd.Message, fd.Failed = fmt.Sprintf("cannot find the precise tag of %s: no registry access configured", ref.Familiar()), true
		return fd, true
	}
	want, isManifest, err := target(ctx, opts.Registry, ref)
	if err != nil {
		fd.Message, fd.Failed = fmt.Sprintf("cannot find the precise tag of %s: %v", ref.Familiar(), err), true
		return fd, true
	}
	f := finder{ctx: ctx, reg: opts.Registry, ref: ref, want: want, manifest: isManifest, cur: cur}
	found, reason := f.fromAnnotation()
	if found == "" {
		found, reason = f.fromTags(opts.Candidates)
	}
	name := ref.Familiar()
	if found == "" {
		if reason == "" {
			return fd, false
		}
		fd.Message = fmt.Sprintf("%s is a floating tag; not made precise: %s", name, reason)
		return fd, true
	}
	fd.Message = fmt.Sprintf("%s is a floating tag: %s names the same image", name, found)
	edit, ok := replaceTag(r, found)
	if !ok {
		fd.Message += "; not rewritten: the reference is not written where it can be edited"
		return fd, true
	}
	fd.Fix = &transform.Fix{Message: "use tag " + found, Edits: []transform.Edit{edit}}
	return fd, true
}

// replaceTag returns the edit that puts tag in place of r's tag.
func replaceTag(r pin.Reference, tag string) (transform.Edit, bool) {
	n := len(r.Ref.Name)
	if r.Ref.Tag == "" {
		return r.Replace(n, n, ":"+tag)
	}
	return r.Replace(n+1, n+1+len(r.Ref.Tag), tag)
}

// target returns the digest the reference names: the pin, or what the
// tag points to now; isManifest says a pin names a platform manifest.
func target(ctx context.Context, reg Registry, ref imageref.Ref) (string, bool, error) {
	if ref.Digest != "" {
		m, err := reg.Manifest(ctx, ref.Repository(), ref.Digest)
		if err != nil {
			return "", false, trim(err)
		}
		return ref.Digest, m.Kind == resolve.KindManifest, nil
	}
	res := reg.Resolve(ctx, resolve.Request{Ref: ref.Canonical(), Kind: ""})
	if res.Err != nil {
		return "", false, trim(res.Err)
	}
	return res.Digest, false, nil
}

func trim(err error) error {
	var re *resolve.Error
	if errors.As(err, &re) {
		return errors.New(strings.TrimPrefix(err.Error(), "resolving "+re.Ref+": "))
	}
	return err
}

// finder looks for the precise tag of one reference.
type finder struct {
	ctx      context.Context
	reg      Registry
	ref      imageref.Ref
	want     string
	manifest bool // want is a platform manifest
	cur      tagver.Tag
	checked  map[string]bool
}

// matches reports whether tag names the wanted image now.
func (f *finder) matches(tag string) bool {
	if f.checked == nil {
		f.checked = map[string]bool{}
	}
	if v, ok := f.checked[tag]; ok {
		return v
	}
	ok := false
	res := f.reg.Resolve(f.ctx, resolve.Request{Ref: f.ref.Repository() + ":" + tag})
	switch {
	case res.Err != nil:
	case res.Digest == f.want:
		ok = true
	case f.manifest && res.Kind == resolve.KindIndex:
		// A platform pin: does the tag's index list it?
		if m, err := f.reg.Manifest(f.ctx, f.ref.Repository(), tag); err == nil {
			if idx, err := v1.ParseIndexManifest(bytes.NewReader(m.Raw)); err == nil {
				ok = slices.ContainsFunc(idx.Manifests, func(d v1.Descriptor) bool { return d.Digest.String() == f.want })
			}
		}
	}
	f.checked[tag] = ok
	return ok
}

// fromAnnotation tries the version the image's index announces.
func (f *finder) fromAnnotation() (string, string) {
	id := f.ref.Digest
	if id == "" {
		id = f.ref.TagOrDefault()
	}
	m, err := f.reg.Manifest(f.ctx, f.ref.Repository(), id)
	if err != nil || m.Kind != resolve.KindIndex {
		return "", ""
	}
	idx, err := v1.ParseIndexManifest(bytes.NewReader(m.Raw))
	if err != nil {
		return "", ""
	}
	version := idx.Annotations["org.opencontainers.image.version"]
	for _, d := range idx.Manifests {
		if version == "" && d.Platform != nil && d.Platform.OS != "unknown" {
			version = d.Annotations["org.opencontainers.image.version"]
		}
	}
	if version == "" {
		return "", ""
	}
	var cands []string
	v := tagver.Parse(version)
	switch {
	case v.Suffix == f.cur.Suffix:
		cands = append(cands, version)
	case v.Suffix == "" && f.cur.Suffix != "":
		cands = append(cands, version+"-"+f.cur.Suffix)
	case v.Suffix == "" && !f.cur.IsVersion() && f.cur.Head != "latest" && f.cur.Head != "":
		cands = append(cands, version+"-"+f.cur.Head) // "slim" -> "3.12.8-slim"
	}
	for _, c := range cands {
		if tagver.Parse(c).Refines(f.cur) && f.matches(c) {
			return c, ""
		}
	}
	return "", ""
}

// fromTags lists the repository's tags and checks the candidates that
// refine the current tag, most precise and newest first.
func (f *finder) fromTags(max int) (string, string) {
	list, err := f.reg.Tags(f.ctx, f.ref.Repository(), resolve.TagLimits{})
	if err != nil {
		return "", "cannot list its tags: " + trim(err).Error()
	}
	var cands []tagver.Tag
	for _, s := range list.Tags {
		t := tagver.Parse(s)
		if !t.Prerelease() && t.Refines(f.cur) {
			cands = append(cands, t)
		}
	}
	if len(cands) == 0 {
		return "", ""
	}
	slices.SortFunc(cands, tagver.Compare)
	checked := 0
	for i, c := range cands {
		if checked >= max {
			return "", fmt.Sprintf("none of the %d most precise of %d candidate tags names the same image", max, len(cands))
		}
		checked++
		if !f.matches(c.Text) {
			continue
		}
		// A tie: another spelling of the same version ("v1.2.3") that
		// names the same image.
		for _, d := range cands[i+1:] {
			if !slices.Equal(d.Version, c.Version) {
				break
			}
			if checked < max {
				checked++
				if f.matches(d.Text) {
					return "", fmt.Sprintf("%s and %s both name the same image", c.Text, d.Text)
				}
			}
		}
		return c.Text, ""
	}
	n := fmt.Sprintf("%d candidates", len(cands))
	if len(cands) == 1 {
		n = "the one candidate " + cands[0].Text
	}
	return "", fmt.Sprintf("no more precise tag (of %s) names the same image", n)
}
