package multistage

import (
	"path"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/debmeta"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// dirLink is a directory that the runtime base has as a symbolic link.
//
// The final stage copies the staging directory to / in one COPY. Where the
// staging directory holds a real directory and the runtime base a link
// (Perl's MakeMaker puts man pages in /usr/local/man, which Debian links
// to share/man; a Makefile may install into /lib, which merged-/usr
// releases link to usr/lib), buildah replaces the link with the directory
// and BuildKit refuses the copy ("cannot copy to non-directory"). Made
// links in the staging directory first, the staged install writes through
// them as the first install did, and the copy keeps them links.
type dirLink struct {
	path   string // the link, absolute
	target string // what it points to, relative to its directory
}

// stagingLinks returns the directory links of a runtime base that a staged
// install may write through: /usr/local/man in every Debian and Ubuntu
// image (base-files makes it), and /bin, /sbin and /lib when every release
// the image may be has merged /usr. None for an image dockmend cannot tell
// is Debian or Ubuntu (no release from its name, tag, the lock file or the
// configuration): a link made where the image has a directory would
// replace the directory, so an image whose links are not known gets none.
func stagingLinks(base string, o *ruleOptions) []dirLink {
	if familyOf(base) != famApt || strings.Contains(base, "$") {
		return nil
	}
	rels := releasesOf(base, o)
	if len(rels) == 0 {
		return nil
	}
	var links []dirLink
	if !slices.ContainsFunc(rels, func(r string) bool { return !debmeta.MergedUsr(r) }) {
		for _, d := range []string{"bin", "sbin", "lib"} {
			links = append(links, dirLink{path: "/" + d, target: "usr/" + d})
		}
	}
	return append(links, dirLink{path: "/usr/local/man", target: "share/man"})
}

// linkSeed is the RUN instruction, with a comment saying why, that makes
// the runtime base's directory links in the staging directory dir before
// the first staged install; each line ends with eol.
func linkSeed(links []dirLink, dir, base string, st style) string {
	var dirs, names []string
	byParent := map[string][]string{} // ln -s TARGET... DIR, where each link is named as its target
	var parents []string
	var single []string // ln -s TARGET LINK, where it is not
	for _, l := range links {
		names = append(names, l.path)
		dirs = append(dirs, dir+path.Join(path.Dir(l.path), l.target))
		if path.Base(l.target) != path.Base(l.path) {
			single = append(single, "ln -s "+l.target+" "+dir+l.path)
			continue
		}
		parent := path.Dir(dir + l.path)
		if _, ok := byParent[parent]; !ok {
			parents = append(parents, parent)
		}
		byParent[parent] = append(byParent[parent], l.target)
	}
	cmds := []string{"mkdir -p " + strings.Join(dirs, " ")}
	for _, p := range parents {
		cmds = append(cmds, "ln -s "+strings.Join(byParent[p], " ")+" "+p+"/")
	}
	cmds = append(cmds, single...)
	var b strings.Builder
	b.WriteString("# Links as in " + base + " (" + strings.Join(names, ", ") + ")," + st.eol)
	b.WriteString("# for the staged install to write through and the COPY of " + dir + " to keep." + st.eol)
	b.WriteString(st.kw("RUN") + " " + strings.Join(cmds, " "+st.esc+st.eol+" && ") + st.eol)
	return b.String()
}

// seedEdit inserts linkSeed above the first staged install's RUN and the
// comment lines that belong to it.
func (p *plan) seedEdit(f *source.File, st style) transform.Edit {
	at, _ := f.Line(commentStart(f, p.staged[0].in))
	return transform.Edit{Start: at, End: at, New: linkSeed(p.links, p.staging, p.base, st)}
}
