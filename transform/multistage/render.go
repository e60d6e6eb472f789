package multistage

import (
	"regexp"
	"strings"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// Paths the generated instructions use in the images.
const (
	recordDir = "/tmp/dockmend" // in the build stage: meta/, lib/, root/
	metaDir   = "/tmp/dockmend" // in the final stage: packages, perms
)

// style is how the file writes its instructions.
type style struct {
	lower bool   // keywords in lower case
	eol   string // line ending
	esc   string // escape token
}

func fileStyle(f *source.File, s *source.Stage) style {
	st := style{eol: f.EOL(), esc: string(f.Escape)}
	kw := string(f.Data[s.From.Start:min(s.From.Start+4, len(f.Data))])
	st.lower = kw == strings.ToLower(kw)
	return st
}

func (st style) kw(k string) string {
	if st.lower {
		return strings.ToLower(k)
	}
	return k
}

// edits turns the plan into byte edits on the file: name the build stage,
// take the moved instructions (with their comments) out of it, and append
// the record step and the new final stage.
func (p *plan) edits(a *analysis) ([]transform.Edit, error) {
	f, s := a.f, a.stage
	st := fileStyle(f, s)
	var edits []transform.Edit
	if p.addName {
		at := s.From.InsertAt(s.Base.End)
		edits = append(edits, transform.Edit{Start: at, End: at, New: " " + st.kw("AS") + " " + p.name})
	}
	// Moved instructions leave the build stage with their comment lines.
	type block struct{ first, last int } // physical lines
	var blocks []block
	for _, in := range s.Instructions {
		if !p.moved[in] {
			continue
		}
		first := commentStart(f, in)
		if n := len(blocks); n > 0 && blocks[n-1].last+1 >= first {
			blocks[n-1].last = in.EndLine
			continue
		}
		blocks = append(blocks, block{first, in.EndLine})
	}
	for _, b := range blocks {
		last := b.last
		if blank(f, b.first-1) && (blank(f, last+1) || last+1 > f.NumLines()) && last+1 <= f.NumLines() {
			last++ // do not leave two blank lines behind
		}
		start, _ := f.Line(b.first)
		_, end := f.Line(last)
		edits = append(edits, transform.Edit{Start: start, End: end})
	}
	// What remains of the file decides how the tail starts.
	rest, err := edit.Apply(f.Data, edits)
	if err != nil {
		return nil, err
	}
	var tail strings.Builder
	r := string(rest)
	if r != "" && !strings.HasSuffix(r, "\n") {
		tail.WriteString(st.eol) // finish the last line
		r += st.eol
	}
	if r != "" && !endsWithBlank([]byte(r)) {
		tail.WriteString(st.eol) // a blank line before what follows
	}
	if p.packages {
		tail.WriteString(p.recordStep(st))
		tail.WriteString(st.eol)
	}
	tail.WriteString(p.finalStage(f, st))
	edits = append(edits, transform.Edit{Start: len(f.Data), End: len(f.Data), New: tail.String()})
	return edits, nil
}

// commentStart returns the first line of the comment lines directly above
// in (or in's own first line).
func commentStart(f *source.File, in *source.Instruction) int {
	first := in.StartLine
	prevEnd := 0
	for _, x := range f.Instructions {
		if x.EndLine < in.StartLine && x.EndLine > prevEnd {
			prevEnd = x.EndLine
		}
	}
	for l := in.StartLine - 1; l > prevEnd; l-- {
		t := strings.TrimSpace(f.LineText(l))
		if !strings.HasPrefix(t, "#") {
			break
		}
		first = l
	}
	return first
}

func blank(f *source.File, line int) bool {
	if line < 1 || line > f.NumLines() {
		return false
	}
	return strings.TrimSpace(f.LineText(line)) == ""
}

func endsWithBlank(b []byte) bool {
	s := strings.TrimSuffix(strings.TrimSuffix(string(b), "\n"), "\r")
	if s == "" {
		return true
	}
	i := strings.LastIndexByte(s, '\n')
	return strings.TrimSpace(s[i+1:]) == ""
}

// finalStage renders the new final stage.
func (p *plan) finalStage(f *source.File, st style) string {
	var b strings.Builder
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, ""))
		b.WriteString(st.eol)
	}
	from := "--from=" + p.name
	from1 := st.kw("FROM") + " "
	if fl := p.fromStage.From.Flag("platform"); fl != nil {
		from1 += p.fromStage.From.Logical[fl.Start:fl.End] + " " // build and run where the original did
	}
	line(from1, p.base)
	if p.packages {
		line(st.kw("COPY"), " ", from, " ", recordDir, "/meta/ ", metaDir, "/")
		line(st.kw("COPY"), " --chown=0:0 ", from, " ", recordDir, "/lib/ /usr/local/lib/")
		if p.overlay {
			line(st.kw("COPY"), " --chown=0:0 ", from, " ", recordDir, "/root/ /")
		}
		if p.aptSrc {
			line(st.kw("COPY"), " ", from, " /etc/apt/ /etc/apt/")
			line(st.kw("COPY"), " ", from, " /usr/share/keyrings/ /usr/share/keyrings/")
		}
	}
	if p.users {
		files := "/etc/passwd /etc/group"
		if p.packages {
			files += " /etc/shadow /etc/gshadow"
		}
		line(st.kw("COPY"), " ", from, " ", files, " /etc/")
	}
	for _, x := range p.artifacts {
		q := dockerQuote(x)
		line(st.kw("COPY"), " ", from, " ", q, " ", q)
	}
	if p.packages {
		c := " " + st.esc + st.eol
		// Install what the base lacks; give the copied paths back the owner
		// and mode they had (COPY makes a copied directory root's).
		b.WriteString(st.kw("RUN") + " missing=$(while read -r p; do" + c +
			"        dpkg-query -W -f '${db:Status-Abbrev}' \"${p%%=*}\" 2>/dev/null | grep -q '^ii' || echo \"$p\";" + c +
			"      done < " + metaDir + "/packages)" + c +
			"    && if [ -n \"$missing\" ]; then" + c +
			"      apt-get update" + c +
			"      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $missing" + c +
			"      && rm -rf /var/lib/apt/lists/*;" + c +
			"    fi" + c +
			"    && while read -r o m f; do chown -h \"$o\" \"$f\" && { [ -L \"$f\" ] || chmod \"$m\" \"$f\"; }; done < " + metaDir + "/perms" + c +
			"    && rm -r " + metaDir + c +
			"    && ldconfig" + st.eol)
	}
	if len(p.pathDirs) > 0 {
		line(st.kw("ENV"), " PATH=", strings.Join(p.pathDirs, ":"), ":$PATH")
	}
	for _, in := range p.placed {
		start := in.Start
		if p.moved[in] {
			ls, _ := f.Line(commentStart(f, in))
			start = ls
		}
		line(string(f.Data[start:in.End]))
	}
	return b.String()
}

// recordStep renders the build stage's last RUN: it writes the list of
// packages the artifacts need at run time, and copies the shared libraries
// no package owns, for the final stage to install and copy.
func (p *plan) recordStep(st style) string {
	c := " " + st.esc + st.eol
	roots := make([]string, len(p.artifacts))
	var inside []string
	for i, x := range p.artifacts {
		roots[i] = shQuote(x)
		inside = append(inside, shQuote(x), shQuote(x)+"/*")
	}
	var b strings.Builder
	b.WriteString("# dockmend: record the packages the artifacts need at run time: the owners of" + st.eol)
	b.WriteString("# the shared libraries ldd finds, of the interpreters they link to, and of the" + st.eol)
	b.WriteString("# commands the image runs (see docs/multistage.md)" + st.eol)
	mk := recordDir + "/meta " + recordDir + "/lib"
	if p.overlay {
		mk += " " + recordDir + "/root"
	}
	for _, in := range p.placed {
		if in.Is("USER") && !p.moved[in] {
			// The build runs as another user: dpkg and find need root.
			b.WriteString(st.kw("USER") + " root" + st.eol)
			break
		}
	}
	b.WriteString(st.kw("RUN") + " set -e; mkdir -p " + mk + c)
	b.WriteString("  ; stat -c '%u:%g %a %n' " + strings.Join(roots, " ") + " > " + recordDir + "/meta/perms" + c)
	b.WriteString("  ; owner() { r=$(readlink -f \"$1\"); { dpkg-query -S \"$1\" \"$r\" \"${r#/usr}\" 2>/dev/null || true; } | awk -F'[:,]' '!/^diversion/ && !n++ {print $1}'; }" + c)
	b.WriteString("  ; inside() { case $1 in " + strings.Join(inside, "|") + ") return 0;; esac; return 1; }" + c)
	b.WriteString("  ; {" + c)
	if len(p.static) > 0 {
		b.WriteString("    printf '%s\\n' " + strings.Join(quoteAll(p.static), " ") + ";" + c)
	}
	b.WriteString("    dpkg-query -W -f '${db:Status-Abbrev} ${Package}\\n' " + strings.Join(dataPackages, " ") + " 2>/dev/null | awk '$1 == \"ii\" {print $2}' || true;" + c)
	b.WriteString("    { find " + strings.Join(roots, " ") + " -type f \\( -perm /111 -o -name '*.so' -o -name '*.so.*' -o -name '*.node' \\) -exec ldd {} + 2>/dev/null || true; }" + c)
	b.WriteString("    | awk '$2 == \"=>\" && $3 ~ /^\\// {print $3}' | sort -u | while read -r f; do" + c)
	b.WriteString("        p=$(owner \"$f\");" + c)
	b.WriteString("        if [ -n \"$p\" ]; then echo \"$p\"; elif ! inside \"$(readlink -f \"$f\")\"; then cp -L \"$f\" " + recordDir + "/lib/; fi;" + c)
	b.WriteString("      done;" + c)
	b.WriteString("    { find " + strings.Join(roots, " ") + " -type l 2>/dev/null || true; } | while read -r f; do" + c)
	// The first target outside the artifacts matters, and so does the
	// last: a virtualenv's python3 -> /usr/bin/python3 (python3-minimal,
	// read as python3) -> python3.11.
	b.WriteString("        t=$(readlink \"$f\" || true); case $t in /*) ;; *) t=$(dirname \"$f\")/$t;; esac;" + c)
	b.WriteString("        if [ -e \"$t\" ] && ! inside \"$t\"; then owner \"$t\"; fi;" + c)
	b.WriteString("        t=$(readlink -f \"$f\" || true); if [ -e \"$t\" ] && ! inside \"$t\"; then owner \"$t\"; fi;" + c)
	b.WriteString("      done;" + c)
	if len(p.commands) > 0 {
		// A program the image runs that no package owns and that lies in a
		// system directory was installed by the build: copy it to the
		// same place. Elsewhere (/usr/local) it is an artifact already, or
		// belongs to the base image.
		b.WriteString("    for c in " + strings.Join(quoteAll(p.commands), " ") + "; do" + c)
		b.WriteString("        f=$(command -v \"$c\" || true); [ -n \"$f\" ] && ! inside \"$f\" || continue; p=$(owner \"$f\");" + c)
		b.WriteString("        if [ -n \"$p\" ]; then echo \"$p\"; else case $f in " + strings.Join(overlayGlobs, "|") + ")" + c)
		b.WriteString("          d=$(readlink -f \"$(dirname \"$f\")\"); mkdir -p " + recordDir + "/root\"$d\"; cp -a \"$d/$(basename \"$f\")\" " + recordDir + "/root\"$d\"/;; esac; fi;" + c)
		b.WriteString("      done;" + c)
	}
	if len(p.devs) > 0 {
		b.WriteString("    { dpkg-query -W -f '${Depends}\\n' " + strings.Join(quoteAll(p.devs), " ") + " 2>/dev/null || true; } | tr ',|' '\\n\\n'" + c)
		b.WriteString("    | awk '{sub(/:.*/, \"\", $1); if ($1 ~ /^lib/ && $1 !~ /-dev(-bin)?$/) print $1}' | sort -u | while read -r p; do" + c)
		b.WriteString("        if dpkg -L \"$p\" 2>/dev/null | grep -q '\\.so'; then echo \"$p\"; fi;" + c)
		b.WriteString("      done;" + c)
	}
	b.WriteString("  } | sed 's/^\\(python3[.0-9]*\\)-minimal$/\\1/' | sort -u > " + recordDir + "/meta/packages" + st.eol)
	return b.String()
}

// overlayGlobs are the system directories from which the record step
// copies programs that no package owns.
var overlayGlobs = []string{"/bin/*", "/sbin/*", "/usr/bin/*", "/usr/sbin/*", "/usr/lib/*", "/usr/libexec/*"}

var plainRE = regexp.MustCompile(`^[A-Za-z0-9_./@%+=:,-]+$`)

// shQuote quotes s for the shell when it needs it.
func shQuote(s string) string {
	if plainRE.MatchString(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func quoteAll(list []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = shQuote(s)
	}
	return out
}

// dockerQuote writes a path for a COPY line; paths with white space use
// the JSON form's quoting rules inside the shell form, which buildkit reads.
func dockerQuote(s string) string {
	if plainRE.MatchString(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}
