package apk

import (
	_ "embed"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/pkgmgr"
)

//go:embed doc.go
var doc string

// Transformer is the apk rule: apk add gets --no-cache, and an apk update
// that --no-cache makes redundant is removed.
var Transformer = &transform.Transformer{
	Name:    "apk",
	Doc:     transform.MustExtractDoc(doc, "apk"),
	Default: true,
	Fixes:   []string{"DL3019"},
	Run:     run,
}

func run(p *transform.Pass) error {
	return p.Walk(func(in *source.Instruction) {
		if in.Is("RUN") && shellcmd.Mentions(in, "apk") && shellcmd.ImageStage(in) &&
			!shellcmd.CacheCovers(in, "/var/cache/apk") && !shellcmd.CacheCovers(in, "/etc/apk/cache") {
			checkRun(p, in)
		}
	})
}

// manager reads apk's command lines; the rule's logic is its own.
var manager = &pkgmgr.Manager{
	Names: []string{"apk"},
	ValueOptions: []string{"-X", "--repository", "-p", "--root", "--keys-dir", "--repositories-file",
		"--arch", "--cache-dir", "--progress-fd", "-t", "--virtual", "--cache-max-age", "--timeout"},
}

func noCache(a pkgmgr.Call) bool { return a.Line.Has("--no-cache") }

func checkRun(p *transform.Pass, in *source.Instruction) {
	s, err := in.Script()
	if err != nil {
		return
	}
	cmds := shellcmd.Commands(s)
	var apks []pkgmgr.Call
	scripts := map[*shellcmd.Command]bool{}
	for _, c := range cmds {
		if runsScript(c) {
			scripts[c] = true
		}
		if a, ok := manager.Parse(c); ok {
			apks = append(apks, a)
		}
	}
	for k, a := range apks {
		switch a.Subcommand() {
		case "add":
			// --no-network downloads nothing; --cache-dir asks for a cache.
			if !noCache(a) && !a.Line.Has("--cache-dir", "--no-network") {
				reportNoCache(p, a)
			}
		case "update":
			if redundant(a, apks[k+1:], cmds, scripts) {
				reportUpdate(p, s, a)
			}
		}
	}
}

// runsScript reports whether c runs a shell script dockmend cannot see.
func runsScript(c *shellcmd.Command) bool {
	switch c.Name() {
	case "sh", "bash", "ash", "dash", "zsh", "ksh", "su", "source", ".", "eval":
		return true
	}
	return strings.HasSuffix(c.Name(), ".sh")
}

func reportNoCache(p *transform.Pass, a pkgmgr.Call) {
	fd := transform.Finding{
		Code:    "DL3019",
		Start:   a.Start(),
		End:     a.Args[a.Sub].End,
		Message: "apk add without --no-cache leaves the package index in the image",
	}
	if a.Editable() {
		fd.Fix = &transform.Fix{Message: "add --no-cache", Edits: []transform.Edit{a.InsertOption(a.Line, a.Sub, " --no-cache")}}
	} else {
		fd.Message += "; not fixed: " + a.NotEditable()
	}
	p.Report(fd)
}

// redundant reports whether the update u is made redundant by the apk
// commands after it, all add or del with --no-cache, with no script that
// might use the index.
func redundant(u pkgmgr.Call, later []pkgmgr.Call, cmds []*shellcmd.Command, scripts map[*shellcmd.Command]bool) bool {
	for _, o := range u.Line.Options {
		switch o.Name {
		case "-q", "--quiet", "-v", "--verbose", "--no-progress", "--progress":
		default:
			return false
		}
	}
	adds := 0
	for _, a := range later {
		switch a.Subcommand() {
		case "add":
			if !noCache(a) {
				return false
			}
			adds++
		case "del":
		default:
			if !noCache(a) {
				return false
			}
		}
	}
	for _, c := range cmds {
		if scripts[c] && c.Start() > u.Start() {
			return false
		}
	}
	return adds > 0
}

func reportUpdate(p *transform.Pass, s *source.Script, u pkgmgr.Call) {
	fd := transform.Finding{
		Start:   u.Start(),
		End:     u.Args[u.Sub].End,
		Message: "apk update is redundant: apk add --no-cache fetches a fresh index itself, and the update leaves one in the image",
	}
	e, why := deleteCommand(s, u.Command)
	if why != "" {
		fd.Message += "; not fixed: " + why
	} else {
		fd.Fix = &transform.Fix{Message: "remove apk update", Edits: []transform.Edit{e}}
	}
	p.Report(fd)
}

// deleteCommand returns an edit that deletes c from the top-level list it
// is in, with the && or ';' that joins it to the next command, or says why
// it cannot.
func deleteCommand(s *source.Script, c *shellcmd.Command) (transform.Edit, string) {
	if !c.Editable() {
		return transform.Edit{}, c.NotEditable()
	}
	if len(c.Stmt.Redirs) > 0 || c.Stmt.Negated || c.Stmt.Background {
		return transform.Edit{}, "it has redirections or runs in the background"
	}
	// The sequence of commands c belongs to: the operands of an && list,
	// then the next top-level statement.
	stmts := s.File.Stmts
	for t, top := range stmts {
		ops, ok := andList(top)
		if !ok {
			continue
		}
		for k, op := range ops {
			if op != c.Stmt {
				continue
			}
			var next *syntax.Stmt
			switch {
			case k+1 < len(ops):
				next = ops[k+1]
			case len(ops) == 1 && t+1 < len(stmts):
				next = stmts[t+1]
			default:
				return transform.Edit{}, "it is the last command of its list"
			}
			return deleteBetween(s, c.Stmt.Pos(), next.Pos())
		}
	}
	return transform.Edit{}, "it is part of an || list or a pipeline"
}

// andList returns the operands of a statement that is an && list (a single
// command is a list of one); ok is false for other operators.
func andList(st *syntax.Stmt) ([]*syntax.Stmt, bool) {
	b, isBin := st.Cmd.(*syntax.BinaryCmd)
	if !isBin {
		return []*syntax.Stmt{st}, true
	}
	if b.Op != syntax.AndStmt || st.Negated || len(st.Redirs) > 0 {
		return nil, false
	}
	left, ok := andList(b.X)
	if !ok {
		return nil, false
	}
	return append(left, b.Y), true
}

// deleteBetween deletes the program text from a up to b, unless a comment
// or empty line sits among the file lines it spans.
func deleteBetween(s *source.Script, a, b syntax.Pos) (transform.Edit, string) {
	start, end := s.Offset(a), s.Offset(b)
	data := s.Inst.File.Data[start:end]
	// The first line holds the deleted command; the last is the start of
	// b's line. Those between are whole lines.
	lines := strings.Split(string(data), "\n")
	for i := 1; i < len(lines)-1; i++ {
		l := lines[i]
		t := strings.TrimSpace(l)
		if t == "" || strings.HasPrefix(t, "#") {
			return transform.Edit{}, "a comment or empty line would go with it"
		}
	}
	return transform.Edit{Start: start, End: end}, ""
}
