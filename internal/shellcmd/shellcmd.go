// This file is longer than 450 lines on purpose: Commands' walk over the
// shell tree and the Command it builds (words, wrappers, the construct a
// command sits in) are one piece, read together. Options are parsed in
// options.go, whole programs edited in script.go, mounts read in mount.go.

// Package shellcmd finds the simple commands of a RUN instruction's shell
// program and the places where dockmend may edit it.
//
// A RUN's program (see source.Script) is a tree of statements. Commands
// lists every simple command in it whose name is a literal word, with the
// file byte offsets of its words, the wrapper words before it (sudo, env,
// command) and the construct it sits in. A command at the top level of the
// program, in a list joined by &&, ||, | or ;, is editable; one inside a
// subshell, a { } group, an if, a loop, a case, a function body or a command
// substitution is not: a rule reports it without a fix.
//
// Append and Prepend add a whole command to a program so that the result
// fails whenever the original would have failed; Mounts reads a RUN's
// --mount flags. ImageStage tells whether what an instruction leaves on disk
// ends up in an image.
package shellcmd

import (
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/source"
)

// Word is one word of a command line.
type Word struct {
	// Node is the parsed word.
	Node *syntax.Word
	// Value is the word with quotes removed; valid when Literal.
	Value string
	// Literal reports that the word has no expansion ($x, $(...), globs
	// are kept as text): its value is known before the shell runs.
	Literal bool
	// Start is the byte offset of the word's first byte in the file. End
	// is the offset just past its last byte, where text inserted after the
	// word lands (before any line continuation that follows).
	Start, End int
}

// Command is one simple command of a RUN's program.
type Command struct {
	// Script is the program the command belongs to.
	Script *source.Script
	// Stmt is the innermost statement that holds the command.
	Stmt *syntax.Stmt
	// Call is the command's node.
	Call *syntax.CallExpr
	// Prefix holds the wrapper words before the command: "sudo -E",
	// "env A=b", "command".
	Prefix []Word
	// Args are the command's words; Args[0] is its name.
	Args []Word
	// Env names the variables the command line sets for the command, in
	// the call ("A=b cmd") and through env ("env A=b cmd"), as NAME=value
	// with the value's raw text.
	Env []string
	// Context is "" for a command that may be edited, and otherwise names
	// the construct it sits in: "subshell", "group", "if", "while",
	// "until", "for", "case", "function", "command substitution", ...
	Context string
}

// Name returns the base name of the command ("apt-get" for
// "/usr/bin/apt-get").
func (c *Command) Name() string { return path.Base(c.Args[0].Value) }

// Editable reports whether the command may be edited in place.
func (c *Command) Editable() bool { return c.Context == "" }

// Sudo reports whether the command runs through sudo: a command added
// beside it must then run through sudo too.
func (c *Command) Sudo() bool {
	for _, w := range c.Prefix {
		if w.Literal && path.Base(w.Value) == "sudo" {
			return true
		}
	}
	return false
}

// Invocation returns the file text that starts the command, wrappers
// included ("sudo -E /usr/bin/dnf"), words joined by single spaces, for a
// related command to be run the same way ("sudo -E /usr/bin/dnf clean
// all").
func (c *Command) Invocation() string {
	var parts []string
	for _, w := range append(slices.Clone(c.Prefix), c.Args[0]) {
		start, end, ok := c.Script.Range(w.Node)
		if ok {
			parts = append(parts, string(c.Script.Inst.File.Data[start:end]))
		} else {
			parts = append(parts, w.Value)
		}
	}
	return strings.Join(parts, " ")
}

// NotEditable says why the command may not be edited, as a clause for a
// message ("it is inside an if"), or "" when it may be.
func (c *Command) NotEditable() string {
	switch c.Context {
	case "":
		return ""
	case "if", "case":
		return "it is inside an " + c.Context
	case "while", "until", "for":
		return "it is inside a " + c.Context + " loop"
	case "time", "coproc":
		return "it runs under " + c.Context
	}
	return "it is inside a " + c.Context
}

// Start returns the offset of the command's name.
func (c *Command) Start() int { return c.Args[0].Start }

// End returns the offset just past the command's last word.
func (c *Command) End() int { return c.Args[len(c.Args)-1].End }

// InsertAfter returns an edit that inserts text right after word i, e.g.
// InsertAfter(1, " -y") after "install".
func (c *Command) InsertAfter(i int, text string) edit.Edit {
	return edit.Edit{Start: c.Args[i].End, End: c.Args[i].End, New: text}
}

// Replace returns an edit that replaces word i with text. ok is false when
// the word is not contiguous in the file (a line continuation splits it).
func (c *Command) Replace(i int, text string) (e edit.Edit, ok bool) {
	start, end, ok := c.Script.Range(c.Args[i].Node)
	if !ok {
		return edit.Edit{}, false
	}
	return edit.Edit{Start: start, End: end, New: text}, true
}

// Commands returns the simple commands of s in source order. Commands whose
// name is not a literal word ("$PM install") are left out.
//
// The list is computed once per script (see source.Script.Memo) and shared
// by every rule that asks: neither it nor its commands may be modified.
func Commands(s *source.Script) []*Command {
	return s.Memo(commandsKey{}, func() any { return commands(s) }).([]*Command)
}

// commandsKey is the source.Script.Memo key of Commands.
type commandsKey struct{}

func commands(s *source.Script) []*Command {
	w := &walker{s: s}
	w.stmts(s.File.Stmts, "")
	slices.SortStableFunc(w.cmds, func(a, b *Command) int { return a.Start() - b.Start() })
	return w.cmds
}

type walker struct {
	s    *source.Script
	cmds []*Command

	// words and commands are allocated in blocks: a program has many of
	// both, and allocating them one by one costs more than reading them.
	words    []Word
	commands []Command
}

// newWords returns a slice of n words, with no capacity beyond them.
func (w *walker) newWords(n int) []Word {
	if cap(w.words)-len(w.words) < n {
		w.words = make([]Word, 0, max(n, 16))
	}
	i := len(w.words)
	w.words = w.words[:i+n]
	return w.words[i : i+n : i+n]
}

// newCommand returns a pointer to a new, zero Command.
func (w *walker) newCommand() *Command {
	if len(w.commands) == cap(w.commands) {
		w.commands = make([]Command, 0, 4)
	}
	w.commands = w.commands[:len(w.commands)+1]
	return &w.commands[len(w.commands)-1]
}

func (w *walker) stmts(list []*syntax.Stmt, ctx string) {
	for _, st := range list {
		w.stmt(st, ctx)
	}
}

// within returns the context for a nested construct: the outer one wins.
func within(ctx, construct string) string {
	if ctx != "" {
		return ctx
	}
	return construct
}

func (w *walker) stmt(st *syntax.Stmt, ctx string) {
	if st == nil {
		return
	}
	for _, r := range st.Redirs {
		w.nested(r.Word, ctx)
		w.nested(r.Hdoc, ctx)
	}
	switch c := st.Cmd.(type) {
	case *syntax.CallExpr:
		w.call(st, c, ctx)
	case *syntax.BinaryCmd:
		w.stmt(c.X, ctx)
		w.stmt(c.Y, ctx)
	case *syntax.Subshell:
		w.stmts(c.Stmts, within(ctx, "subshell"))
	case *syntax.Block:
		w.stmts(c.Stmts, within(ctx, "group"))
	case *syntax.IfClause:
		for cl := c; cl != nil; cl = cl.Else {
			w.stmts(cl.Cond, within(ctx, "if"))
			w.stmts(cl.Then, within(ctx, "if"))
		}
	case *syntax.WhileClause:
		kw := "while"
		if c.Until {
			kw = "until"
		}
		w.stmts(c.Cond, within(ctx, kw))
		w.stmts(c.Do, within(ctx, kw))
	case *syntax.ForClause:
		w.nested(c.Loop, ctx)
		w.stmts(c.Do, within(ctx, "for"))
	case *syntax.CaseClause:
		w.nested(c.Word, ctx)
		for _, it := range c.Items {
			w.stmts(it.Stmts, within(ctx, "case"))
		}
	case *syntax.FuncDecl:
		w.stmt(c.Body, within(ctx, "function"))
	case *syntax.TimeClause:
		w.stmt(c.Stmt, within(ctx, "time"))
	case *syntax.CoprocClause:
		w.stmt(c.Stmt, within(ctx, "coproc"))
	default:
		// DeclClause, LetClause, ArithmCmd, TestClause: only the
		// command substitutions inside them hold commands.
		w.nested(st.Cmd, ctx)
	}
}

// nested walks a node that is not a statement for the command
// substitutions inside it.
func (w *walker) nested(n syntax.Node, ctx string) {
	if n == nil {
		return
	}
	if wd, ok := n.(*syntax.Word); ok && (wd == nil || plain(wd)) {
		return
	}
	syntax.Walk(n, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.CmdSubst:
			w.stmts(x.Stmts, within(ctx, "command substitution"))
			return false
		case *syntax.ProcSubst:
			w.stmts(x.Stmts, within(ctx, "process substitution"))
			return false
		}
		return true
	})
}

// plain reports a word made only of literal text and single-quoted
// strings, which hold no command substitution.
func plain(wd *syntax.Word) bool {
	for _, p := range wd.Parts {
		switch p.(type) {
		case *syntax.Lit, *syntax.SglQuoted:
		default:
			return false
		}
	}
	return true
}

func (w *walker) call(st *syntax.Stmt, c *syntax.CallExpr, ctx string) {
	var env []string
	for _, a := range c.Assigns {
		if a.Value != nil {
			w.nested(a.Value, ctx)
		}
		if a.Name != nil {
			env = append(env, a.Name.Value+"="+rawLit(a.Value))
		}
	}
	for _, a := range c.Args {
		w.nested(a, ctx)
	}
	if len(c.Args) == 0 {
		return
	}
	words := w.newWords(len(c.Args))
	for i, a := range c.Args {
		words[i] = w.word(a)
	}
	prefix, args, more := unwrap(words)
	env = append(env, more...)
	if len(args) == 0 || !args[0].Literal {
		return
	}
	cmd := w.newCommand()
	*cmd = Command{
		Script:  w.s,
		Stmt:    st,
		Call:    c,
		Prefix:  prefix,
		Args:    args,
		Env:     env,
		Context: ctx,
	}
	w.cmds = append(w.cmds, cmd)
}

func (w *walker) word(n *syntax.Word) Word {
	v, lit := Unquote(n)
	return Word{
		Node:    n,
		Value:   v,
		Literal: lit,
		Start:   w.s.Offset(n.Pos()),
		End:     w.s.EndOffset(n.End()),
	}
}

// Unquote returns the value of a word made of literal text and quotes,
// with the quotes removed. ok is false when the word has an expansion.
func Unquote(n *syntax.Word) (string, bool) {
	return Expand(n, nil)
}

// Lookup returns the value of a shell variable: ok when the value is
// known; declared when the variable exists but its value is not known
// (then ${X:-default} cannot take the default either).
type Lookup func(name string) (value string, ok, declared bool)

// Expand returns the value of a word made only of literal text, quotes and
// parameter expansions ($X, ${X}, ${X-default}, ${X:-default}) of variables
// that lookup knows. It returns false for anything else (command
// substitution, $'...', other expansions, unknown variables). With a nil
// lookup it is Unquote.
func Expand(n *syntax.Word, lookup Lookup) (string, bool) {
	if n == nil {
		return "", false
	}
	if len(n.Parts) == 1 {
		// Most words are one literal or one quoted string: their value
		// needs no copy.
		switch x := n.Parts[0].(type) {
		case *syntax.Lit:
			return unescape(x.Value), true
		case *syntax.SglQuoted:
			if !x.Dollar {
				return x.Value, true
			}
		}
	}
	var b strings.Builder
	for _, p := range n.Parts {
		if !expandPart(&b, p, lookup, false) {
			return "", false
		}
	}
	return b.String(), true
}

func expandPart(b *strings.Builder, p syntax.WordPart, lookup Lookup, quoted bool) bool {
	switch x := p.(type) {
	case *syntax.Lit:
		if quoted {
			b.WriteString(x.Value)
		} else {
			b.WriteString(unescape(x.Value))
		}
	case *syntax.SglQuoted:
		if x.Dollar {
			return false
		}
		b.WriteString(x.Value)
	case *syntax.DblQuoted:
		if x.Dollar {
			return false
		}
		for _, q := range x.Parts {
			if !expandPart(b, q, lookup, true) {
				return false
			}
		}
	case *syntax.ParamExp:
		if lookup == nil || x.Excl || x.Length || x.Width || x.Index != nil || x.Slice != nil || x.Repl != nil || x.Names != 0 || x.Param == nil {
			return false
		}
		v, ok, declared := lookup(x.Param.Value)
		if x.Exp != nil {
			switch x.Exp.Op {
			case syntax.DefaultUnset, syntax.DefaultUnsetOrNull:
				if !ok || (v == "" && x.Exp.Op == syntax.DefaultUnsetOrNull) {
					if declared && !ok {
						return false // declared, value unknown
					}
					d, dok := Expand(x.Exp.Word, lookup)
					if !dok {
						return false
					}
					v, ok = d, true
				}
			default:
				return false
			}
		}
		if !ok {
			return false
		}
		b.WriteString(v)
	default:
		return false
	}
	return true
}

// unescape drops the backslashes of an unquoted literal ("\-y" is "-y").
func unescape(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			i++
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func rawLit(w *syntax.Word) string {
	if w == nil {
		return ""
	}
	v, _ := Unquote(w)
	return v
}

// unwrap splits the wrapper words off a command line: sudo with its
// options, env with its options and NAME=value words, and command.
func unwrap(words []Word) (prefix, args []Word, env []string) {
	i := 0
	for i < len(words) && words[i].Literal {
		switch path.Base(words[i].Value) {
		case "sudo":
			j := i + 1
			for j < len(words) && words[j].Literal && strings.HasPrefix(words[j].Value, "-") {
				v := words[j].Value
				j++
				if v == "--" {
					break
				}
				// Options that take a value in the next word.
				if v == "-u" || v == "-g" || v == "-C" || v == "-h" || v == "-p" || v == "-r" || v == "-t" || v == "-U" || v == "-D" {
					j++
				}
			}
			i = j
			continue
		case "env":
			j := i + 1
			for j < len(words) && words[j].Literal {
				v := words[j].Value
				if v == "-u" || v == "-C" || v == "-S" {
					j += 2
					continue
				}
				if strings.HasPrefix(v, "-") {
					j++
					continue
				}
				if name, _, ok := strings.Cut(v, "="); ok && name != "" && !strings.ContainsAny(name, "/") {
					env = append(env, v)
					j++
					continue
				}
				break
			}
			i = j
			continue
		case "command":
			j := i + 1
			if j < len(words) && words[j].Literal && words[j].Value == "-p" {
				j++
			}
			// "command -v x" and "command -V x" look a command up.
			if j < len(words) && words[j].Literal && strings.HasPrefix(words[j].Value, "-") {
				return nil, nil, nil
			}
			i = j
			continue
		}
		break
	}
	if i > len(words) {
		i = len(words)
	}
	return words[:i], words[i:], env
}
