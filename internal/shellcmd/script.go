package shellcmd

import (
	"fmt"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/source"
)

// ShapeError is the error of Append and Prepend: the program's shape does
// not allow the edit without changing what the program means.
type ShapeError struct {
	// Reason says why, as a clause: "the program ends with exit".
	Reason string
}

func (e *ShapeError) Error() string { return "cannot add a command: " + e.Reason }

func shapeErr(format string, args ...any) error {
	return &ShapeError{Reason: fmt.Sprintf(format, args...)}
}

// Append returns an edit that runs text after s's program, only when the
// program's last statement succeeded: " && text" lands at the end of the
// last statement, before a trailing ';', comment, line continuation or line
// ending. The program's exit status is kept when it fails, so a failing
// build never becomes a passing one; in a heredoc this holds whether or not
// the script runs under set -e, which a new line would not.
//
// It fails, with a *ShapeError, when the program ends in a way that &&
// would change: a background command ('&'), a function definition, a
// here-document (whose body follows the statement), or exit, exec or
// return (the command would never run); and when an earlier statement
// runs in the background with no wait at the start of the last one, since
// text would then run beside it rather than after it.
func Append(s *source.Script, text string) (edit.Edit, error) {
	stmts := s.File.Stmts
	if len(stmts) == 0 {
		return edit.Edit{}, shapeErr("the program is empty")
	}
	last := stmts[len(stmts)-1]
	if last.Background || last.Coprocess || last.Disown {
		return edit.Edit{}, shapeErr("the program ends with a background command")
	}
	if _, ok := last.Cmd.(*syntax.FuncDecl); ok {
		return edit.Edit{}, shapeErr("the program ends with a function definition")
	}
	if !startsWithWait(last) {
		for _, st := range stmts[:len(stmts)-1] {
			if st.Background || st.Coprocess {
				return edit.Edit{}, shapeErr("a command runs in the background and may still run after the program")
			}
		}
	}
	tail := last
	for {
		if hasHeredoc(tail) {
			return edit.Edit{}, shapeErr("the program ends with a here-document")
		}
		b, ok := tail.Cmd.(*syntax.BinaryCmd)
		if !ok {
			break
		}
		tail = b.Y
	}
	if c, ok := tail.Cmd.(*syntax.CallExpr); ok && len(c.Args) > 0 {
		switch name, _ := Unquote(c.Args[0]); path.Base(name) {
		case "exit", "exec", "return":
			return edit.Edit{}, shapeErr("the program ends with %s", name)
		}
	}
	end := stmtEnd(last)
	off := s.EndOffset(end)
	return edit.Edit{Start: off, End: off, New: " && " + text}, nil
}

// startsWithWait reports whether st's first command is wait, which waits
// for the commands started in the background.
func startsWithWait(st *syntax.Stmt) bool {
	for {
		b, ok := st.Cmd.(*syntax.BinaryCmd)
		if !ok {
			break
		}
		st = b.X
	}
	c, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(c.Args) == 0 {
		return false
	}
	name, _ := Unquote(c.Args[0])
	return name == "wait"
}

// stmtEnd is the end of a statement without its ';' or '&'. A statement
// may be redirections alone ("<file"), with no command.
func stmtEnd(st *syntax.Stmt) syntax.Pos {
	end := st.Pos()
	if st.Cmd != nil {
		end = st.Cmd.End()
	}
	for _, r := range st.Redirs {
		if r.End().After(end) {
			end = r.End()
		}
	}
	return end
}

func hasHeredoc(st *syntax.Stmt) bool {
	for _, r := range st.Redirs {
		if r.Hdoc != nil {
			return true
		}
	}
	return false
}

// Prepend returns an edit that runs text before s's program so that the
// program runs only if text succeeds, keeping text's failure as the
// program's status.
//
// For a program of one statement whose first command is not the left side
// of an || (the statement is a command, a pipeline or an && list), it
// inserts "text && " before the statement. For a program whose first
// statement is "set -e" (or -eux, -o errexit) it inserts text as a
// statement of its own after that one: a new line in a heredoc, "text; "
// otherwise. Anything else fails with a *ShapeError: in "a; b" or
// "a || b" a failing text would no longer stop the build.
func Prepend(s *source.Script, text string) (edit.Edit, error) {
	stmts := s.File.Stmts
	if len(stmts) == 0 {
		return edit.Edit{}, shapeErr("the program is empty")
	}
	if len(stmts) == 1 {
		first := stmts[0]
		if first.Background || first.Coprocess || first.Disown {
			return edit.Edit{}, shapeErr("the program is a background command")
		}
		if _, ok := first.Cmd.(*syntax.FuncDecl); ok {
			return edit.Edit{}, shapeErr("the program is a function definition")
		}
		head := first
		for {
			b, ok := head.Cmd.(*syntax.BinaryCmd)
			if !ok || b.Op != syntax.AndStmt {
				break
			}
			head = b.X
		}
		if b, ok := head.Cmd.(*syntax.BinaryCmd); ok && b.Op == syntax.OrStmt {
			return edit.Edit{}, shapeErr("the program starts with an || list")
		}
		off := s.Offset(first.Pos())
		return edit.Edit{Start: off, End: off, New: text + " && "}, nil
	}
	if !Errexit(stmts[0]) {
		return edit.Edit{}, shapeErr("the program has several statements and does not start with set -e")
	}
	for _, st := range stmts[1:] {
		if setsNoErrexit(st) {
			return edit.Edit{}, shapeErr("the program turns set -e off")
		}
	}
	next := s.Offset(stmts[1].Pos())
	if s.Heredoc != nil {
		data := s.Inst.File.Data
		ls := next
		for ls > s.Heredoc.Start && (data[ls-1] == ' ' || data[ls-1] == '\t') {
			ls--
		}
		if ls == s.Heredoc.Start || data[ls-1] == '\n' {
			// Heredoc programs have LF line endings (source refuses
			// CR in their bodies).
			return edit.Edit{Start: ls, End: ls, New: string(data[ls:next]) + text + "\n"}, nil
		}
	}
	return edit.Edit{Start: next, End: next, New: text + "; "}, nil
}

// Errexit reports whether st is a set command that turns errexit on:
// "set -e", "set -eux", "set -o errexit".
func Errexit(st *syntax.Stmt) bool {
	return setOption(st, '-')
}

func setsNoErrexit(st *syntax.Stmt) bool {
	return setOption(st, '+')
}

func setOption(st *syntax.Stmt, sign byte) bool {
	c, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || len(c.Args) < 2 {
		return false
	}
	if name, _ := Unquote(c.Args[0]); name != "set" {
		return false
	}
	for i, a := range c.Args[1:] {
		v, lit := Unquote(a)
		if !lit || len(v) < 2 || v[0] != sign || v[1] == sign {
			continue
		}
		if strings.ContainsRune(v[1:], 'e') {
			return true
		}
		if strings.ContainsRune(v[1:], 'o') && i+2 < len(c.Args) {
			if w, _ := Unquote(c.Args[i+2]); w == "errexit" {
				return true
			}
		}
	}
	return false
}
