package pin

import (
	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// Reference is one image reference of a file as the pin rule finds it,
// for other rules and commands that judge base images (the tag rule,
// dockmend base).
type Reference struct {
	// Ref is the reference after ARG expansion; valid when Skip is "".
	Ref imageref.Ref
	// Place says where it is written: "FROM", "COPY --from",
	// "RUN --mount from" or "# syntax".
	Place string
	// Platform is the platform it is built for: the FROM's constant
	// --platform, else Options.Platform.
	Platform string
	// Start and End delimit the reference in the file.
	Start, End int
	// Via names the ARG the reference comes from ("ARG BASE"), if any.
	Via string
	// Skip says why the reference cannot be looked up ("" when it can).
	Skip string

	target *target
}

// References returns the image references of f in source order: every
// FROM image, COPY --from and RUN --mount from= image and the # syntax=
// image, with ARGs expanded as the pin rule expands them (opts.BuildArgs).
// Stage names and scratch are left out.
func References(f *source.File, opts Options) []Reference {
	var out []Reference
	for _, s := range collect(f, &opts) {
		r := Reference{Ref: s.ref, Place: s.place.String(), Platform: s.platform, Start: s.start, End: s.end, Via: s.via, target: s.target}
		if s.skip != nil {
			r.Skip = s.skip.reason()
		}
		out = append(out, r)
	}
	return out
}

// Replace returns the edit that replaces the bytes [i, j) of the
// reference's text (Ref.Text) with text; i == j inserts. ok is false when
// the reference is not written literally where it can be edited (built
// from several ARGs, quoted oddly) or the range is split across lines.
func (r Reference) Replace(i, j int, text string) (transform.Edit, bool) {
	t := r.target
	if t == nil || i < 0 || j < i || t.lstart+j > t.lend {
		return transform.Edit{}, false
	}
	if t.in == nil {
		return transform.Edit{Start: t.lstart + i, End: t.lstart + j, New: text}, true
	}
	if i == j {
		at := t.in.InsertAt(t.lstart + i)
		return transform.Edit{Start: at, End: at, New: text}, true
	}
	a, b, ok := t.in.Range(t.lstart+i, t.lstart+j)
	if !ok {
		return transform.Edit{}, false
	}
	return transform.Edit{Start: a, End: b, New: text}, true
}
