package pin

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/source"
)

// place is where an image reference is written.
type place int

const (
	placeFrom   place = iota // FROM IMAGE
	placeCopy                // COPY --from=IMAGE
	placeMount               // RUN --mount=...,from=IMAGE
	placeSyntax              // # syntax=IMAGE
)

func (p place) String() string {
	return [...]string{"FROM", "COPY --from", "RUN --mount from", "# syntax"}[p]
}

// site is one image reference in a file.
type site struct {
	place place
	// in is the instruction, nil for the syntax directive.
	in *source.Instruction
	// text is the reference as written ("python:${V}").
	text string
	// start and end delimit it in the file: what the finding covers.
	start, end int
	// ref is the reference after expansion; valid when skip is nil.
	ref imageref.Ref
	// platform is the platform to pin a new digest for; "" for the
	// tag's own digest.
	platform string
	// via names the ARG the reference comes from ("ARG BASE"), if any.
	via string
	// target is where the digest is written; nil when it cannot be,
	// with noTarget saying why.
	target   *target
	noTarget *skip
	// skip says why the reference is not looked up at all.
	skip *skip
}

// target is literal reference text in the source that a digest can be
// appended to or replaced in.
type target struct {
	in *source.Instruction // nil: lstart and lend are byte offsets
	// lstart and lend delimit the literal reference (quotes excluded) in
	// in.Logical, or in the file when in is nil.
	lstart, lend int
}

// insertAt is the byte offset just after the reference.
func (t *target) insertAt() int {
	if t.in == nil {
		return t.lend
	}
	return t.in.InsertAt(t.lend)
}

// suffix returns the byte range of the last n bytes of the reference, if
// they are contiguous in the file.
func (t *target) suffix(n int) (start, end int, ok bool) {
	if t.in == nil {
		return t.lend - n, t.lend, true
	}
	return t.in.Range(t.lend-n, t.lend)
}

// newTarget returns the target for a word written at the logical range
// [i, j) of in whose unquoted value is value: the word itself, or inside
// its quotes. It returns nil when the word is spelled otherwise.
func newTarget(in *source.Instruction, i, j int, value string) *target {
	if in.MapErr != nil {
		return nil
	}
	raw := in.Logical[i:j]
	switch {
	case raw == value:
		return &target{in: in, lstart: i, lend: j}
	case len(raw) == len(value)+2 && (raw[0] == '"' || raw[0] == '\'') && raw[len(raw)-1] == raw[0] && raw[1:len(raw)-1] == value:
		return &target{in: in, lstart: i + 1, lend: j - 1}
	}
	return nil
}

// collect finds every image reference in f.
func collect(f *source.File, opts *Options) []*site {
	g := newGlobals(f, opts.BuildArgs)
	var sites []*site
	if d := f.Directive("syntax"); d != nil && d.Value != "" {
		s := &site{place: placeSyntax, text: d.Value, start: d.ValueStart, end: d.ValueEnd,
			target: &target{lstart: d.ValueStart, lend: d.ValueEnd}}
		s.setRef(d.Value)
		sites = append(sites, s)
	}
	// FROM lines first, so that ARG uses are all counted before any
	// whole-ARG reference is judged.
	type fromUse struct {
		s *site
		x expansion
	}
	var froms []fromUse
	for _, st := range f.Stages {
		in := st.From
		s := &site{place: placeFrom, in: in, text: st.Base.Text}
		s.start, s.end = rangeOf(in, st.Base.Start, st.Base.End)
		if st.Base.Text == "" {
			continue
		}
		x := g.use(st.Base.Text)
		if fl := in.Flag("platform"); fl != nil {
			g.use(fl.Value)
		}
		if x.Err == nil && (strings.EqualFold(x.Result, "scratch") || earlierStage(f, st.Index, x.Result) || isBuildContext(x.Result, opts.BuildContexts)) {
			continue
		}
		s.platform = fromPlatform(st, opts.Platform)
		froms = append(froms, fromUse{s, x})
		sites = append(sites, s)
	}
	for _, fu := range froms {
		fu.s.resolveFrom(g, fu.x)
	}
	f.Walk(func(in *source.Instruction) {
		if in.Stage == nil && in.Parent == nil {
			return
		}
		switch in.Keyword {
		case "COPY":
			if fl := in.Flag("from"); fl != nil {
				if s := flagSite(f, in, fl.ValueStart, fl.End, fl.Value, placeCopy, opts); s != nil {
					sites = append(sites, s)
				}
			}
		case "RUN":
			for _, fl := range in.Flags {
				if fl.Name != "mount" {
					continue
				}
				if s := mountSite(f, in, fl, opts); s != nil {
					sites = append(sites, s)
				}
			}
		}
	})
	slices.SortStableFunc(sites, func(a, b *site) int { return a.start - b.start })
	return sites
}

// rangeOf converts a logical range to the file bytes a finding covers.
func rangeOf(in *source.Instruction, i, j int) (int, int) {
	if in.MapErr != nil {
		return in.Start, in.Start
	}
	return in.Offset(i), in.InsertAt(j)
}

// earlierStage reports whether name names a stage before stage index.
func earlierStage(f *source.File, index int, name string) bool {
	name = strings.ToLower(name)
	for _, s := range f.Stages[:index] {
		if s.Name != "" && s.Name == name {
			return true
		}
	}
	return false
}

// anyStage reports whether name names a stage of f.
func anyStage(f *source.File, name string) bool { return f.StageByName(name) != nil }

// fromPlatform returns the platform a FROM's new pin is for: "" (the
// tag's own digest) unless a platform was asked for; then the FROM's own
// constant --platform if it has one, else the one asked for.
func fromPlatform(st *source.Stage, want string) string {
	if want == "" {
		return ""
	}
	if p := st.Platform; p != "" && !strings.Contains(p, "$") {
		return p
	}
	return want
}

// setRef parses text as the literal reference of s.
func (s *site) setRef(text string) {
	r, err := imageref.Parse(text)
	if err != nil {
		s.skip = &skip{kind: skipInvalid, detail: err.Error()}
		return
	}
	s.ref = r
}

// resolveFrom finishes a FROM site from the expansion of its base.
func (s *site) resolveFrom(g *globals, x expansion) {
	in := s.in
	if x.Err != nil {
		s.skip = &skip{kind: skipInvalid, detail: x.Err.Error()}
		return
	}
	if len(x.Vars) == 0 {
		s.setRef(x.Result)
		if s.skip == nil {
			b := in.Stage.Base
			s.target = newTarget(in, b.Start, b.End, x.Result)
			if s.target == nil {
				s.noTarget = notEditable(in)
			}
		}
		return
	}
	for _, v := range x.Vars {
		if isPlatformArg(v) {
			s.skip = &skip{kind: skipPlatformArg, detail: v}
			return
		}
	}
	if name, i, j, ok := defaultExpr(s.text); ok {
		if v, set := g.vals[name]; !set || v == "" && s.text[i-2] == ':' {
			// The default written in the FROM line is what is built.
			s.via = "default of ARG " + name
			s.setRef(x.Result)
			if s.skip == nil {
				b := in.Stage.Base
				s.target = newTarget(in, b.Start+i, b.Start+j, x.Result)
				if s.target == nil {
					s.noTarget = notEditable(in)
					if s.ref.Digest == "" {
						s.skip = s.noTarget
					}
				}
			}
			return
		}
		s.fromArg(g, name, x)
		return
	}
	if name, whole := wholeArg(s.text); whole {
		s.fromArg(g, name, x)
		return
	}
	if len(x.Unset) > 0 {
		if _, err := imageref.Parse(x.Result); err != nil {
			s.skip = &skip{kind: skipNoValue, detail: x.Unset[0]}
			return
		}
	}
	s.setRef(x.Result)
	s.noTarget = &skip{kind: skipPartArg, detail: strings.Join(x.Vars, ", ")}
	if s.skip == nil && s.ref.Digest == "" {
		s.skip = s.noTarget
	}
}

// fromArg finishes a FROM site whose reference is the value of the global
// ARG name: its digest goes into the ARG's default, if that is the one
// literal declaration and nothing else reads it.
func (s *site) fromArg(g *globals, name string, x expansion) {
	s.via = "ARG " + name
	decls := g.decls[name]
	if v, set := g.vals[name]; !set || v == "" || len(decls) == 0 {
		s.skip = &skip{kind: skipNoValue, detail: name}
		return
	}
	s.setRef(x.Result)
	if s.skip != nil {
		return
	}
	switch {
	case g.buildArg[name]:
		s.noTarget = &skip{kind: skipBuildArg, detail: name}
	case len(decls) > 1:
		s.noTarget = &skip{kind: skipArgRedeclared, detail: name}
	case !g.literal[name]:
		s.noTarget = &skip{kind: skipArgNotLiteral, detail: name}
	case g.uses[name] > 1:
		s.noTarget = &skip{kind: skipArgShared, detail: fmt.Sprintf("%s|%d", name, g.uses[name])}
	default:
		a := decls[0]
		s.target = newTarget(a.Inst, a.ValueStart, a.ValueEnd, x.Result)
		if s.target == nil {
			s.noTarget = notEditable(a.Inst)
		}
	}
	if s.noTarget != nil && s.ref.Digest == "" {
		s.skip = s.noTarget
	}
}

func notEditable(in *source.Instruction) *skip {
	if in.MapErr != nil {
		return &skip{kind: skipNotEditable, detail: in.MapErr.Error()}
	}
	return &skip{kind: skipNotEditable, detail: "the reference is quoted in a way dockmend does not rewrite"}
}

var numeric = regexp.MustCompile(`^[0-9]+$`)

// isBuildContext reports whether ref names one of the build contexts.
// buildkit looks a named context up by the reference's familiar form
// without ":latest" ("docker.io/library/alpine:latest" is "alpine"), so
// both sides are compared in that form.
func isBuildContext(ref string, contexts []string) bool {
	if len(contexts) == 0 {
		return false
	}
	name := contextName(ref)
	for _, c := range contexts {
		if contextName(c) == name {
			return true
		}
	}
	return false
}

// contextName is the name buildkit looks a named context up by: the
// familiar form of ref (no docker.io, no library/) without ":latest", or
// ref itself when it does not parse.
func contextName(ref string) string {
	r, err := imageref.Parse(ref)
	if err != nil {
		return ref
	}
	name := r.Repository()
	if r.Domain == imageref.DockerHub {
		name = strings.TrimPrefix(r.Path, "library/")
	}
	if r.Tag != "" && r.Tag != imageref.DefaultTag {
		name += ":" + r.Tag
	}
	if r.Digest != "" {
		name += "@" + r.Digest
	}
	return name
}

// bareName matches a name that could be a stage name as well as an image.
var bareName = regexp.MustCompile(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// flagSite makes the site of a COPY --from or mount from= value written at
// the logical range [i, j) of in, or returns nil when the value names a
// stage.
func flagSite(f *source.File, in *source.Instruction, i, j int, value string, p place, opts *Options) *site {
	if value == "" || numeric.MatchString(value) || in.Parent == nil && (anyStage(f, value) || isBuildContext(value, opts.BuildContexts)) {
		return nil
	}
	if in.Parent != nil && bareName.MatchString(value) {
		// In an ONBUILD trigger, a bare name may be a stage of the
		// Dockerfile that builds on this image.
		return nil
	}
	s := &site{place: p, in: in, text: in.Logical[i:j], platform: opts.Platform}
	s.start, s.end = rangeOf(in, i, j)
	if strings.Contains(value, "$") {
		s.skip = &skip{kind: skipFlagVar}
		return s
	}
	s.setRef(value)
	if s.skip == nil {
		s.target = newTarget(in, i, j, value)
		if s.target == nil {
			s.noTarget = notEditable(in)
		}
	}
	return s
}

// mountSite finds the from= key of a --mount flag.
func mountSite(f *source.File, in *source.Instruction, fl source.Flag, opts *Options) *site {
	raw := in.Logical[fl.ValueStart:fl.End]
	if raw != fl.Value {
		// Quoted mount options: find from= for the finding, never edit.
		for _, field := range strings.Split(fl.Value, ",") {
			k, v, _ := strings.Cut(field, "=")
			if strings.EqualFold(strings.Trim(k, `"'`), "from") {
				s := flagSite(f, in, fl.ValueStart, fl.End, strings.Trim(v, `"'`), placeMount, opts)
				if s != nil && s.skip == nil {
					s.target, s.noTarget = nil, notEditable(in)
					if s.ref.Digest == "" {
						s.skip = s.noTarget
					}
				}
				return s
			}
		}
		return nil
	}
	off := fl.ValueStart
	for _, field := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(field, "=")
		if ok && strings.EqualFold(k, "from") {
			i := off + len(k) + 1
			return flagSite(f, in, i, i+len(v), v, placeMount, opts)
		}
		off += len(field) + 1
	}
	return nil
}
