package apt

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// checkMerges reports RUNs that only run apt-get update and merges each
// into the next RUN of the stage when that RUN installs. It returns the
// merges it fixes, from the lone update to the installing RUN.
func checkMerges(p *transform.Pass, st *source.Stage, runs []*runInfo) map[*runInfo]*runInfo {
	merged := map[*runInfo]*runInfo{}
	byInst := map[*source.Instruction]*runInfo{}
	for _, r := range runs {
		byInst[r.in] = r
	}
	for i, in := range st.Instructions {
		a := byInst[in]
		if a == nil || !loneUpdate(a) {
			continue
		}
		var b *runInfo
		blocked := ""
		for _, x := range st.Instructions[i+1:] {
			if x.Is("RUN") {
				b = byInst[x]
				break
			}
			if why := movesPast(x); why != "" && blocked == "" {
				blocked = fmt.Sprintf("the %s on line %d %s", x.Keyword, x.StartLine, why)
			}
		}
		if b == nil || b.script == nil || len(b.events) == 0 || b.events[0].kind != use {
			continue // no install follows that needs this update
		}
		fd := transform.Finding{
			Start:   in.Start,
			End:     in.End,
			Message: fmt.Sprintf("apt-get update in its own RUN is cached apart from the install on line %d, which then runs on stale package lists", b.in.StartLine),
		}
		if blocked == "" {
			blocked = mergeBlocker(a, b)
		}
		var edits []transform.Edit
		if blocked == "" {
			var err error
			edits, err = mergeEdits(a, b)
			var se *shellcmd.ShapeError
			switch {
			case errors.As(err, &se):
				blocked = "the RUN on line " + fmt.Sprint(b.in.StartLine) + " cannot take it: " + se.Reason
			case err != nil:
				blocked = err.Error()
			}
		}
		if blocked != "" {
			fd.Message += "; not fixed: " + blocked
		} else {
			fd.Fix = &transform.Fix{
				Message: fmt.Sprintf("merge apt-get update into the RUN on line %d", b.in.StartLine),
				Edits:   edits,
			}
			merged[a] = b
		}
		p.Report(fd)
	}
	return merged
}

// loneUpdate reports whether r's whole program is one apt-get update.
func loneUpdate(r *runInfo) bool {
	if r.script == nil || len(r.cmds) != 1 || len(r.events) != 1 || r.events[0].kind != update {
		return false
	}
	c := r.cmds[0]
	if c.Name() != "apt-get" && c.Name() != "apt" {
		return false
	}
	stmts := r.script.File.Stmts
	return len(stmts) == 1 && stmts[0] == c.Stmt && len(c.Stmt.Redirs) == 0 &&
		!c.Stmt.Background && !c.Stmt.Negated && !c.Stmt.Semicolon.IsValid()
}

// movesPast says why the update may not move past instruction x, or "".
func movesPast(x *source.Instruction) string {
	switch x.Keyword {
	case "LABEL", "MAINTAINER", "EXPOSE", "CMD", "ENTRYPOINT", "HEALTHCHECK", "STOPSIGNAL", "SHELL", "ONBUILD", "WORKDIR":
		return ""
	case "ENV", "ARG":
		for _, f := range x.Fields() {
			name, _, _ := strings.Cut(f.Text, "=")
			n := strings.ToLower(name)
			if strings.Contains(n, "proxy") || strings.HasPrefix(n, "apt") || n == "path" {
				return "sets " + name + ", which apt-get update would then see"
			}
		}
		return ""
	}
	return "could change what apt-get update does"
}

// mergeBlocker says why a's update may not move into b, or "".
func mergeBlocker(a, b *runInfo) string {
	if !slices.Equal(flagTexts(a.in), flagTexts(b.in)) {
		return fmt.Sprintf("the RUNs on lines %d and %d have different flags", a.in.StartLine, b.in.StartLine)
	}
	return deleteBlocker(a)
}

// deleteBlocker says why the lone-update RUN a may not be deleted, or "":
// a comment would be lost, or an ignore pragma above it would then apply
// to the next instruction.
func deleteBlocker(a *runInfo) string {
	f := a.in.File
	for l := a.in.StartLine + 1; l <= a.in.EndLine; l++ {
		if strings.HasPrefix(strings.TrimSpace(f.LineText(l)), "#") {
			return "its RUN holds a comment"
		}
	}
	if len(a.script.File.Last) > 0 || len(a.script.File.Stmts[0].Comments) > 0 {
		return "its RUN holds a comment"
	}
	for l := a.in.StartLine - 1; l >= 1; l-- {
		t := strings.TrimSpace(f.LineText(l))
		if !strings.HasPrefix(t, "#") {
			break
		}
		if strings.Contains(t, "ignore=") {
			return "an ignore comment above it would then apply to the next instruction"
		}
	}
	return ""
}

func flagTexts(in *source.Instruction) []string {
	var fs []string
	for _, f := range in.Flags {
		fs = append(fs, in.Logical[f.Start:f.End])
	}
	slices.Sort(fs)
	return fs
}

// mergeEdits deletes a's lines and runs its update first in b.
func mergeEdits(a, b *runInfo) ([]transform.Edit, error) {
	stmt := a.script.File.Stmts[0]
	start, end, ok := a.script.Range(stmt)
	if !ok {
		return nil, errors.New("its command is split by a line continuation")
	}
	text := string(a.in.File.Data[start:end])
	pre, err := shellcmd.Prepend(b.script, text)
	if err != nil {
		return nil, err
	}
	f := a.in.File
	ls, _ := f.Line(a.in.StartLine)
	_, le := f.Line(a.in.EndLine)
	return []transform.Edit{{Start: ls, End: le}, pre}, nil
}

// mergeEdit returns the edit that merges RUN y into RUN x, which holds the
// lists y installs from: y's program joins x's after " && " on a new
// continuation line, and y's RUN keyword goes. ok is false unless nothing
// stands between them: y starts on the line after x ends (a blank line
// between is the author's grouping, kept), both are shell-form RUNs of one
// stage with the same flags, no
// comment or ignore pragma sits above either or after x's program, and
// both programs keep their meaning joined by && (x ends in a way Append
// accepts; y is one statement that is not an || list).
func mergeEdit(x, y *runInfo) (transform.Edit, bool) {
	f := x.in.File
	if x.script == nil || y.script == nil || x.script.Heredoc != nil || y.script.Heredoc != nil ||
		x.in.Parent != nil || y.in.Parent != nil || x.in.Stage != y.in.Stage || f.Escape != '\\' {
		return transform.Edit{}, false
	}
	st := x.in.Stage
	i := slices.Index(st.Instructions, x.in)
	if i < 0 || i+1 >= len(st.Instructions) || st.Instructions[i+1] != y.in {
		return transform.Edit{}, false
	}
	if !slices.Equal(flagTexts(x.in), flagTexts(y.in)) || pragmaAbove(x.in) {
		return transform.Edit{}, false
	}
	if changesShell(x.script.File) {
		return transform.Edit{}, false
	}
	app, err := shellcmd.Append(x.script, "x")
	if err != nil {
		return transform.Edit{}, false
	}
	if _, err := shellcmd.Append(y.script, "x"); err != nil {
		return transform.Edit{}, false
	}
	if _, err := shellcmd.Prepend(y.script, "x"); err != nil || len(y.script.File.Stmts) != 1 {
		return transform.Edit{}, false
	}
	start := app.Start
	end := y.script.Offset(y.script.File.Stmts[0].Pos())
	if start > x.in.End || end < y.in.Start || strings.TrimSpace(string(f.Data[start:x.in.End])) != "" ||
		strings.TrimSpace(string(f.Data[x.in.End:y.in.Start])) != "" || y.in.StartLine != x.in.EndLine+1 {
		return transform.Edit{}, false
	}
	indent, leading := "", false
	for l := x.in.StartLine + 1; l <= x.in.EndLine; l++ {
		t := f.LineText(l)
		trimmed := strings.TrimLeft(t, " \t")
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		if indent == "" {
			indent = t[:len(t)-len(trimmed)]
		}
		leading = leading || strings.HasPrefix(trimmed, "&&")
	}
	if indent == "" {
		indent = "    "
	}
	eol := f.EOL()
	joiner := " && \\" + eol + indent
	if leading {
		joiner = " \\" + eol + indent + "&& "
	}
	return transform.Edit{Start: start, End: end, New: joiner}, true
}

// stateCommands change the shell's state for the commands after them: the
// directory, variables, options, functions, limits.
var stateCommands = map[string]bool{
	"cd": true, "pushd": true, "popd": true, "export": true, "unset": true, "set": true, "shopt": true,
	"umask": true, "ulimit": true, "source": true, ".": true, "alias": true, "unalias": true, "trap": true,
	"exec": true, "readonly": true, "declare": true, "typeset": true, "local": true, "eval": true,
	"hash": true, "enable": true, "builtin": true,
}

// changesShell reports whether a program may change the shell's state for
// commands that follow it: a command of stateCommands, a bare assignment
// (FOO=bar), a declaration or a function definition, anywhere in it (also
// in a subshell, to stay simple). A RUN joined after it would run in that
// state instead of a fresh shell.
func changesShell(f *syntax.File) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CallExpr:
			if len(x.Args) == 0 {
				found = found || len(x.Assigns) > 0
				break
			}
			name, ok := shellcmd.Unquote(x.Args[0])
			if !ok || stateCommands[name] {
				found = true
			}
		case *syntax.DeclClause, *syntax.FuncDecl:
			found = true
		}
		return !found
	})
	return found
}

// pragmaAbove reports an ignore pragma in the comments right above in: a
// merge would extend it to the merged commands.
func pragmaAbove(in *source.Instruction) bool {
	f := in.File
	for l := in.StartLine - 1; l >= 1; l-- {
		t := strings.TrimSpace(f.LineText(l))
		if !strings.HasPrefix(t, "#") {
			return false
		}
		if strings.Contains(t, "ignore=") {
			return true
		}
	}
	return false
}
