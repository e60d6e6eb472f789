package shellcmd

import (
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/source"
)

// maxInline bounds the length of a program given as a string that Inline
// parses.
const maxInline = 64 << 10

// InlineContext is the Context of the commands Inline returns.
const InlineContext = "shell string"

// Inline returns the commands of a shell program that c runs from a
// string: "sh -c 'prog'" (bash, dash, ash, zsh, ksh, mksh too, options
// such as -l, -e or -x in the same word: "bash -lc 'prog'"), "su -c
// 'prog' user" (also --command), and "eval 'prog'". ok is false when c
// runs no such program, when the string has an expansion, or when it
// does not parse; then what c runs is not known.
//
// The commands are not in the file: their words' offsets are those of c
// (Start and End span c), they are not editable (Context is
// InlineContext), and a command that runs a string itself is returned as
// is, for the caller to expand with a bound on the depth.
func (c *Command) Inline() (cmds []*Command, ok bool) {
	prog, ok := c.inlineProgram()
	if !ok || len(prog) > maxInline {
		return nil, false
	}
	f, err := syntax.NewParser(syntax.Variant(syntax.LangBash)).Parse(strings.NewReader(prog), "")
	if err != nil {
		return nil, false
	}
	syntax.Walk(f, func(n syntax.Node) bool {
		call, isCall := n.(*syntax.CallExpr)
		if !isCall || len(call.Args) == 0 {
			return true
		}
		words := make([]Word, len(call.Args))
		for i, a := range call.Args {
			v, lit := Unquote(a)
			words[i] = Word{Node: a, Value: v, Literal: lit, Start: c.Start(), End: c.End()}
		}
		prefix, args, env := unwrap(words)
		if len(args) == 0 || !args[0].Literal {
			return true
		}
		for _, a := range call.Assigns {
			if a.Name != nil {
				env = append(env, a.Name.Value+"="+rawLit(a.Value))
			}
		}
		cmds = append(cmds, &Command{
			Script:  c.Script,
			Stmt:    c.Stmt,
			Call:    call,
			Prefix:  append(append([]Word(nil), c.Prefix...), prefix...),
			Args:    args,
			Env:     env,
			Context: InlineContext,
		})
		return true
	})
	return cmds, true
}

// shells are the command names that run "-c STRING".
var shells = map[string]bool{"sh": true, "bash": true, "dash": true, "ash": true, "zsh": true, "ksh": true, "mksh": true}

// inlineWord returns the text of a word that holds a program: its value
// with each parameter expansion ($X, ${X:-y}) replaced by a placeholder
// word, since a variable's value in a program is mostly a version or a
// path. ok is false for other expansions (a command substitution: its
// output is the program).
func inlineWord(w Word) (string, bool) {
	if w.Literal {
		return w.Value, true
	}
	if w.Node == nil {
		return "", false
	}
	return Expand(w.Node, func(string) (string, bool, bool) { return "x", true, true })
}

// inlineProgram returns the program c runs from a string.
func (c *Command) inlineProgram() (string, bool) {
	name := c.Name()
	switch {
	case shells[name]:
		return shellString(c.Args)
	case name == "su":
		return suString(c.Args)
	case name == "eval":
		var parts []string
		for _, w := range c.Args[1:] {
			v, ok := inlineWord(w)
			if !ok {
				return "", false
			}
			parts = append(parts, v)
		}
		return strings.Join(parts, " "), len(parts) > 0
	}
	return "", false
}

// shellString finds the -c string of a shell's command line: options come
// first ("-e", "-o pipefail", "+x", "--login"); a word with a 'c' in a
// short cluster makes the first operand the program.
func shellString(args []Word) (string, bool) {
	command := false
	for i := 1; i < len(args); i++ {
		w := args[i]
		if !w.Literal {
			if command {
				return inlineWord(w)
			}
			return "", false
		}
		v := w.Value
		switch {
		case v == "--":
			if command && i+1 < len(args) {
				return inlineWord(args[i+1])
			}
			return "", false
		case strings.HasPrefix(v, "--"):
			if v == "--rcfile" || v == "--init-file" {
				i++
			}
		case len(v) > 1 && (v[0] == '-' || v[0] == '+'):
			if strings.ContainsRune(v[1:], 'c') {
				command = true
			}
			if strings.ContainsAny(v[1:], "oO") {
				i++ // -o option: its name is the next word
			}
		default:
			return v, command
		}
	}
	return "", false
}

// suString finds the -c or --command string of su's command line.
func suString(args []Word) (string, bool) {
	for i := 1; i < len(args); i++ {
		w := args[i]
		if !w.Literal {
			continue
		}
		switch v := w.Value; {
		case v == "-c" || v == "--command":
			if i+1 < len(args) {
				return inlineWord(args[i+1])
			}
			return "", false
		case strings.HasPrefix(v, "--command="):
			return strings.TrimPrefix(v, "--command="), true
		case v == "-s" || v == "--shell" || v == "-g" || v == "--group" || v == "-G" || v == "--supp-group" || v == "-w" || v == "--whitelist-environment":
			i++
		}
	}
	return "", false
}

// Text returns the command's words as the shell program spells them,
// wrappers included, joined by single spaces and cut to at most max bytes
// (with "..." at the end when cut), for a message that names the command.
func (c *Command) Text(max int) string {
	var parts []string
	for _, w := range append(append([]Word(nil), c.Prefix...), c.Args...) {
		if c.Context == ExecContext {
			parts = append(parts, w.Value)
			continue
		}
		var b strings.Builder
		if err := syntax.NewPrinter(syntax.Minify(true)).Print(&b, w.Node); err != nil || b.Len() == 0 {
			parts = append(parts, w.Value)
			continue
		}
		parts = append(parts, b.String())
	}
	s := strings.Join(strings.Fields(strings.Join(parts, " ")), " ")
	if max > 3 && len(s) > max {
		cut := max - 3
		for cut > 0 && !utf8Start(s[cut]) {
			cut--
		}
		s = s[:cut] + "..."
	}
	return s
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// RunsScript reports whether c runs a shell script whose commands are
// not known: a file run by a shell ("bash install.sh", "sh -" or a
// shell reading its input from a pipe), a file named *.sh, or a string
// that Inline cannot read ("sh -c "$(curl ...)""). "source" and "." are
// not counted: they read settings into the running shell.
func (c *Command) RunsScript() bool {
	name := c.Name()
	switch {
	case shells[name], name == "su", name == "eval":
		_, ok := c.Inline()
		return !ok
	}
	ext := path.Ext(name)
	return ext == ".sh" || ext == ".bash"
}

// downloaders are the commands whose output Downloaded recognises.
var downloaders = map[string]bool{"curl": true, "wget": true, "fetch": true}

// Downloaded reports whether the script c runs comes straight from a
// download: a shell reading a pipe fed by curl or wget ("curl -fsSL URL |
// sh"), or a program or file given by a command or process substitution
// of one ("sh -c "$(curl -fsSL URL)"", "bash <(wget -qO- URL)").
func (c *Command) Downloaded() bool {
	for _, w := range c.Args[1:] {
		if w.Node != nil && runsDownloader(w.Node) {
			return true
		}
	}
	if c.Stmt == nil || c.Script == nil || c.Script.File == nil {
		return false
	}
	found := false
	syntax.Walk(c.Script.File, func(n syntax.Node) bool {
		b, ok := n.(*syntax.BinaryCmd)
		if !ok || found {
			return !found
		}
		if (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) && b.Y == c.Stmt && runsDownloader(b.X) {
			found = true
		}
		return !found
	})
	return found
}

// runsDownloader reports whether node n runs curl or wget: as a command
// of a pipeline's left side, or inside a command or process substitution
// in a word.
func runsDownloader(n syntax.Node) bool {
	found := false
	syntax.Walk(n, func(n syntax.Node) bool {
		if call, ok := n.(*syntax.CallExpr); ok && !found {
			words := make([]Word, len(call.Args))
			for i, a := range call.Args {
				v, lit := Unquote(a)
				words[i] = Word{Node: a, Value: v, Literal: lit}
			}
			if _, args, _ := unwrap(words); len(args) > 0 && args[0].Literal && downloaders[path.Base(args[0].Value)] {
				found = true
			}
		}
		return !found
	})
	return found
}

// ExecContext is the Context of the command ExecCommand returns.
const ExecContext = "exec form"

// ExecCommand returns the command of an exec-form RUN (RUN ["apt-get",
// "install", "-y", "curl"]), wrappers split off as for a shell command;
// ok is false for other instructions. The command is not editable: its
// words' offsets span the instruction, Context is ExecContext and Script
// is nil. A shell it runs ("sh", "-c", "...") gives its program through
// Inline.
func ExecCommand(in *source.Instruction) (*Command, bool) {
	if !in.Is("RUN") || !in.JSON || in.Node == nil {
		return nil, false
	}
	var words []Word
	for n := in.Node.Next; n != nil && len(words) < 1000; n = n.Next {
		words = append(words, Word{
			Node:    &syntax.Word{Parts: []syntax.WordPart{&syntax.SglQuoted{Value: n.Value}}},
			Value:   n.Value,
			Literal: true,
			Start:   in.Start,
			End:     in.End,
		})
	}
	prefix, args, env := unwrap(words)
	if len(args) == 0 {
		return nil, false
	}
	return &Command{Prefix: prefix, Args: args, Env: env, Context: ExecContext}, true
}

// WordText returns a word as the program spells it (quotes and
// expansions included).
func WordText(w Word) string {
	if w.Node == nil {
		return w.Value
	}
	var b strings.Builder
	if err := syntax.NewPrinter().Print(&b, w.Node); err != nil {
		return w.Value
	}
	return b.String()
}
