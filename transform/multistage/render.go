package multistage

import (
	"regexp"
	"strings"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
	"mvdan.cc/sh/v3/syntax"
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
// take the moved instructions (with their comments) out of it, run staged
// installs a second time into the staging directory, and append the new
// final stage.
func (p *plan) edits(a *analysis) ([]transform.Edit, error) {
	f, s := a.f, a.stage
	st := fileStyle(f, s)
	var edits []transform.Edit
	if p.addName {
		at := s.From.InsertAt(s.Base.End)
		edits = append(edits, transform.Edit{Start: at, End: at, New: " " + st.kw("AS") + " " + p.name})
	}
	if len(p.links) > 0 {
		edits = append(edits, p.seedEdit(f, st))
	}
	for _, si := range p.staged {
		edits = append(edits, si.edit(p.staging, len(p.links) > 0))
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

// finalStage renders the new final stage: FROM the runtime base, the
// ARG and ENV instructions the install needs, one RUN that installs the
// run-time packages by name, one that creates the users the build
// created, the COPY --from lines of the artifacts, ldconfig when the build
// ran it, and the instructions taken over from the build, in order.
func (p *plan) finalStage(f *source.File, st style) string {
	var b strings.Builder
	line := func(parts ...string) {
		b.WriteString(strings.Join(parts, ""))
		b.WriteString(st.eol)
	}
	original := func(in *source.Instruction) {
		start := in.Start
		if p.moved[in] {
			ls, _ := f.Line(commentStart(f, in))
			start = ls
		}
		line(string(f.Data[start:in.End]))
	}
	from := "--from=" + p.name
	from1 := st.kw("FROM") + " "
	if fl := p.fromStage.From.Flag("platform"); fl != nil {
		from1 += p.fromStage.From.Logical[fl.Start:fl.End] + " " // build and run where the original did
	}
	line(from1, p.base)
	for _, in := range p.early {
		original(in)
	}
	c := " " + st.esc + st.eol // a line continuation
	if len(p.packages) > 0 {
		if p.aptFiles {
			// The packages may come from the repositories the build
			// added.
			line(st.kw("COPY"), " ", from, " /etc/apt/ /etc/apt/")
			line(st.kw("COPY"), " ", from, " /usr/share/keyrings/ /usr/share/keyrings/")
		}
		install := "apt-get install -y --no-install-recommends"
		if p.frontend {
			install = "DEBIAN_FRONTEND=noninteractive " + install
		}
		b.WriteString(st.kw("RUN") + " apt-get update" + c)
		b.WriteString(" && " + install + c)
		b.WriteString(wrap("    ", p.packages, 72, c))
		b.WriteString(c + " && rm -rf /var/lib/apt/lists/*" + st.eol)
	}
	if len(p.users) > 0 {
		line(st.kw("RUN"), " ", strings.Join(p.users, c+" && "))
	}
	if p.staging != "" {
		line(st.kw("COPY"), " ", from, " ", p.staging, "/ /")
	}
	for _, x := range p.artifacts {
		q := dockerQuote(x.path)
		chown := ""
		if x.owner != "" {
			chown = " --chown=" + x.owner
		}
		line(st.kw("COPY"), " ", from, chown, " ", q, " ", q)
	}
	if p.ldconfig {
		line(st.kw("RUN"), " ldconfig")
	}
	if len(p.pathDirs) > 0 {
		line(st.kw("ENV"), " PATH=", strings.Join(p.pathDirs, ":"), ":$PATH")
	}
	for _, in := range p.placed {
		original(in)
	}
	return b.String()
}

// wrap joins words into lines of at most width characters after indent,
// separated by cont (a line continuation and its line ending).
func wrap(indent string, words []string, width int, cont string) string {
	var b strings.Builder
	n := 0
	for i, w := range words {
		switch {
		case i == 0:
			b.WriteString(indent)
			n = len(indent)
		case n+1+len(w) > width:
			b.WriteString(cont + indent)
			n = len(indent)
		default:
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}

var plainRE = regexp.MustCompile(`^[A-Za-z0-9_./@%+=:,-]+$`)

// dockerQuote writes a path for a COPY line; paths with white space use
// the JSON form's quoting rules inside the shell form, which buildkit reads.
func dockerQuote(s string) string {
	if plainRE.MatchString(s) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"`
}

// edit runs the install a second time, into dir, right after the first.
// When the links' RUN made dir already (seeded), the install does not make
// it again.
//
// Inside an && or || list, or as the last command of the script, the second
// run joins the first with &&. A command of its own followed by others
// ("make install; rm -r src", or one per line under set -e) is followed by
// "; ", not "&&": the shell does not stop on a failure before && even under
// set -e, so "&&" would let a failed install pass unnoticed; and the new
// command goes before the statement's own ";", never after it.
func (si *stagedInstall) edit(dir string, seeded bool) transform.Edit {
	st, sc := si.cmd.Stmt, si.cmd.Script
	sep := "; "
	if inList(sc.File, st) || lastStmt(sc.File, st) {
		sep = " && "
	}
	at := sc.EndOffset(st.End())
	if st.Semicolon.IsValid() {
		at = sc.Offset(st.Semicolon)
	}
	text := si.destdir(si.text, dir)
	if si.makeDir && !seeded {
		text = "mkdir -p " + dir + " && " + text
	}
	return transform.Edit{Start: at, End: at, New: sep + text}
}

// inList reports whether st is an operand of an && or || list.
func inList(f *syntax.File, st *syntax.Stmt) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if b, ok := n.(*syntax.BinaryCmd); ok && (b.Op == syntax.AndStmt || b.Op == syntax.OrStmt) && (b.X == st || b.Y == st) {
			found = true
		}
		return !found
	})
	return found
}

// lastStmt reports whether st is the script's last top-level statement,
// whose status is the RUN's.
func lastStmt(f *syntax.File, st *syntax.Stmt) bool {
	return len(f.Stmts) > 0 && f.Stmts[len(f.Stmts)-1] == st
}
