package shellcmd

import (
	"strings"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/source"
)

// AddMounts returns an edit that gives RUN in a --mount flag for each of
// mounts (the flag's value: "type=cache,target=/root/.npm"), each on a
// line of its own, right after the RUN keyword:
//
//	RUN --mount=type=cache,target=/root/.npm \
//	    npm ci
//
// The edit is an insertion at the end of the keyword, so that it never
// meets an edit at the start of the program. ok is false when the RUN
// cannot take flags this way: an ONBUILD trigger, an exec-form RUN, a
// file whose escape character is not a backslash, a RUN whose source map
// is not verified or whose keyword is not followed by a blank.
func AddMounts(in *source.Instruction, mounts []string) (edit.Edit, bool) {
	f := in.File
	if !in.Is("RUN") || in.Parent != nil || in.JSON || in.MapErr != nil || f.Escape != '\\' || len(mounts) == 0 {
		return edit.Edit{}, false
	}
	off := in.Start + len("RUN")
	if off >= len(f.Data) || !strings.EqualFold(string(f.Data[in.Start:off]), "RUN") || (f.Data[off] != ' ' && f.Data[off] != '\t') {
		return edit.Edit{}, false
	}
	eol := f.EOL()
	var b strings.Builder
	for i, m := range mounts {
		if i == 0 {
			b.WriteString(" ")
		} else {
			b.WriteString("    ")
		}
		b.WriteString("--mount=" + m + " \\" + eol)
	}
	// The blank after the keyword follows: it indents the next line.
	b.WriteString("   ")
	return edit.Edit{Start: off, End: off, New: b.String()}, true
}

// RootUser reports whether in runs as root: no USER instruction comes
// before it in its stage or in the stages it builds on, or the last one
// names root (or uid 0). The base image's own USER is not known; images
// that run installs as another user set it in the Dockerfile, so none is
// taken to mean root.
func RootUser(in *source.Instruction) bool {
	st := in.Stage
	f := in.File
	limit := in.Start
	if in.Parent != nil {
		limit = in.Parent.Start
	}
	for range f.Stages {
		if st == nil {
			return true
		}
		for i := len(st.Instructions) - 1; i >= 0; i-- {
			x := st.Instructions[i]
			if x.Start >= limit || !x.Is("USER") {
				continue
			}
			fields := x.Fields()
			if len(fields) == 0 {
				return false
			}
			user, _, _ := strings.Cut(fields[0].Text, ":")
			return user == "root" || user == "0"
		}
		parent := f.StageByName(st.Base.Text)
		if parent == nil || parent.Index >= st.Index {
			return true
		}
		st, limit = parent, len(f.Data)+1
	}
	return true
}
