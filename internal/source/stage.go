package source

import (
	"bytes"
	"encoding/json"
	"path"
	"strings"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// Stage is one build stage: a FROM and the instructions up to the next.
type Stage struct {
	// Index is the stage's 0-based position.
	Index int
	// Name is the stage name from "AS name", lower-cased; "" if none.
	Name string
	// From is the stage's FROM instruction.
	From *Instruction
	// Base is the base image field as written ("golang:${GO}"), with its
	// logical range in From.
	Base Field
	// Platform is the raw --platform value, "" if none.
	Platform string
	// Instructions are the stage's instructions after FROM.
	Instructions []*Instruction
	// Args are the stage's ARG declarations.
	Args []*Arg
	// Children are the later stages whose FROM names this stage.
	Children []*Stage
}

// Arg is one name[=value] of an ARG instruction.
type Arg struct {
	// Name is the argument's name.
	Name string
	// Value is the default value with quotes removed; HasValue reports
	// whether there is one.
	Value    string
	HasValue bool
	// Inst is the ARG instruction.
	Inst *Instruction
	// ValueStart and ValueEnd delimit the raw value (quotes included) in
	// Inst's logical text.
	ValueStart, ValueEnd int
}

// Directive is a parser directive such as "# syntax=docker/dockerfile:1".
type Directive struct {
	// Name is the directive name in lower case; Value its value.
	Name, Value string
	// Line is the directive's physical line.
	Line int
	// ValueStart and ValueEnd delimit the value in the file.
	ValueStart, ValueEnd int
}

// IsFinal reports whether the stage is the file's last stage.
func (s *Stage) IsFinal() bool {
	f := s.From.File
	return s == f.Stages[len(f.Stages)-1]
}

// Reused reports whether a later stage builds on this one with FROM.
func (s *Stage) Reused() bool { return len(s.Children) > 0 }

// Windows reports whether the stage most likely builds a Windows image:
// the escape directive is a backtick, or the base image is a Windows one.
func (s *Stage) Windows() bool {
	if s.From.File.Escape == '`' {
		return true
	}
	b := strings.ToLower(s.Base.Text)
	for _, w := range []string{"windows", "servercore", "nanoserver", "ltsc20"} {
		if strings.Contains(b, w) {
			return true
		}
	}
	return false
}

// Shell returns the shell that runs in's shell-form commands: the last
// SHELL instruction before it in its stage, or the platform default.
func (in *Instruction) Shell() []string {
	s := in.Stage
	if in.Parent != nil {
		// An ONBUILD trigger runs in whatever stage builds on this image.
		return nil
	}
	if in.shell != nil {
		return in.shell
	}
	if s != nil && s.Windows() {
		return []string{"cmd", "/S", "/C"}
	}
	return []string{"/bin/sh", "-c"}
}

// POSIXShell reports whether in's shell-form commands run under a POSIX
// shell (sh, bash, dash, ash, ...) and not PowerShell or cmd.
func (in *Instruction) POSIXShell() bool {
	sh := in.Shell()
	if len(sh) == 0 {
		return false
	}
	name := strings.ToLower(path.Base(strings.ReplaceAll(sh[0], `\`, "/")))
	name = strings.TrimSuffix(name, ".exe")
	switch name {
	case "sh", "bash", "dash", "ash", "ksh", "zsh", "busybox", "mksh":
		return true
	}
	return false
}

// buildStages fills Stages, GlobalArgs, every instruction's Stage, and the
// SHELL in effect at each instruction. SHELL is image configuration, so a
// stage built FROM an earlier stage starts with that stage's SHELL.
func (f *File) buildStages() {
	var cur *Stage
	first := 0 // the index in f.Instructions of cur's first instruction
	// A stage's instructions follow its FROM in f.Instructions: each
	// stage gets its part of that slice.
	closeStage := func(end int) {
		if cur != nil && end > first {
			cur.Instructions = f.Instructions[first:end:end]
		}
	}
	var shell []string
	endShell := map[*Stage][]string{}
	for i, in := range f.Instructions {
		switch in.Keyword {
		case "FROM":
			closeStage(i)
			first = i + 1
			s := &Stage{Index: len(f.Stages), From: in}
			if fl := in.Flag("platform"); fl != nil {
				s.Platform = fl.Value
			}
			fields := in.Fields()
			if len(fields) > 0 {
				s.Base = fields[0]
			}
			if len(fields) == 3 && strings.EqualFold(fields[1].Text, "as") {
				s.Name = strings.ToLower(fields[2].Text)
			}
			if cur != nil {
				endShell[cur] = shell
			}
			shell = nil
			if parent := f.StageByName(s.Base.Text); parent != nil {
				parent.Children = append(parent.Children, s)
				shell = endShell[parent]
			}
			f.Stages = append(f.Stages, s)
			if _, dup := f.stageNames[s.Name]; s.Name != "" && !dup {
				if f.stageNames == nil {
					f.stageNames = map[string]*Stage{}
				}
				f.stageNames[s.Name] = s
			}
			cur = s
			in.Stage = s
			continue
		case "ARG":
			args := parseArgs(in)
			if cur == nil {
				f.GlobalArgs = append(f.GlobalArgs, args...)
			} else {
				cur.Args = append(cur.Args, args...)
			}
		}
		in.Stage = cur
		in.shell = shell
		if in.Keyword == "SHELL" {
			var argv []string
			if err := json.Unmarshal([]byte(in.Args()), &argv); err == nil && len(argv) > 0 {
				shell = argv
			}
		}
		if in.Trigger != nil {
			in.Trigger.Stage = cur
		}
	}
	closeStage(len(f.Instructions))
}

// parseArgs splits an ARG instruction into its name[=value] declarations,
// honouring quotes the way buildkit's word splitting does.
func parseArgs(in *Instruction) []*Arg {
	var args []*Arg
	s := in.Logical
	esc := byte(in.File.Escape)
	for i := in.ArgsStart; i < in.ArgsEnd; {
		for i < in.ArgsEnd && isSpaceByte(s[i]) {
			i++
		}
		if i >= in.ArgsEnd {
			break
		}
		start := i
		var quote byte
		eq := -1
		for i < in.ArgsEnd {
			c := s[i]
			if quote != 0 {
				if c == quote {
					quote = 0
				} else if c == esc && quote == '"' && i+1 < in.ArgsEnd {
					i++
				}
				i++
				continue
			}
			if isSpaceByte(c) {
				break
			}
			switch {
			case c == '\'' || c == '"':
				quote = c
			case c == esc && i+1 < in.ArgsEnd:
				i++
			case c == '=' && eq < 0:
				eq = i
			}
			i++
		}
		a := &Arg{Inst: in, ValueStart: i, ValueEnd: i}
		if eq < 0 {
			a.Name = s[start:i]
		} else {
			a.Name = s[start:eq]
			a.HasValue = true
			a.ValueStart = eq + 1
			a.Value = unquote(s[eq+1:i], esc)
		}
		args = append(args, a)
	}
	return args
}

// unquote removes shell-style quotes and escapes from a word.
func unquote(w string, esc byte) string {
	var b strings.Builder
	var quote byte
	for i := 0; i < len(w); i++ {
		c := w[i]
		switch {
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case c == esc && quote != '\'' && i+1 < len(w):
			i++
			b.WriteByte(w[i])
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// parseDirectives reads the parser directives at the top of the file.
func (f *File) parseDirectives() []*Directive {
	var out []*Directive
	eachDirective(f.Data, f.lines, func(line int, d *parser.Directive) {
		ls, le := f.Line(line)
		text := f.Data[ls:le]
		eq := bytes.IndexByte(text, '=')
		if eq < 0 {
			return
		}
		vi := strings.Index(string(text[eq+1:]), d.Value)
		if vi < 0 {
			return
		}
		vs := ls + eq + 1 + vi
		out = append(out, &Directive{
			Name:       strings.ToLower(d.Name),
			Value:      d.Value,
			Line:       line,
			ValueStart: vs,
			ValueEnd:   vs + len(d.Value),
		})
	})
	return out
}

// eachDirective feeds the leading lines of data (split at lines, see
// lineStarts) to buildkit's DirectiveParser the way its Parse does: the
// byte order mark dropped, the line ending and leading white space trimmed
// (DirectiveParser.ParseAll on the raw bytes would miss a directive after a
// BOM or indented, which Parse honours). It calls fn for each directive and
// returns the line of the first invalid one (repeated, or an escape token
// other than ` and \), or 0.
func eachDirective(data []byte, lines []int, fn func(line int, d *parser.Directive)) (bad int) {
	var dp parser.DirectiveParser
	for line := 1; line < len(lines); line++ {
		raw := data[lines[line-1]:lines[line]]
		if line == 1 {
			raw = bytes.TrimPrefix(raw, utf8BOM)
		}
		d, err := dp.ParseLine(bytes.TrimLeftFunc(bytes.TrimRight(raw, "\r\n"), unicode.IsSpace))
		if err != nil || (d != nil && d.Name == "escape" && d.Value != "`" && d.Value != `\`) {
			return line
		}
		if d == nil {
			return 0 // the first line that is not a directive ends them
		}
		if fn != nil {
			fn(line, d)
		}
	}
	return 0
}

// badDirectiveLine returns the line of the first invalid parser directive
// in data, or 0.
func badDirectiveLine(data []byte) int {
	return eachDirective(data, lineStarts(data), nil)
}

// Directive returns the directive with the given name, or nil.
func (f *File) Directive(name string) *Directive {
	for _, d := range f.Directives {
		if d.Name == name {
			return d
		}
	}
	return nil
}
