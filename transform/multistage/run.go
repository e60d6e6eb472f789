package multistage

import (
	"encoding/json"
	"errors"
	"path"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
)

// runCtx is the state inside one RUN: the shell's own variables and
// working directory start from the stage's and end with the RUN.
type runCtx struct {
	in       *source.Instruction
	st       *state
	env      env
	cwd      string // "" when unknown
	aptMark  bool   // apt-mark auto ran: a later autoremove takes this RUN's installs
	installs []*install
	script   *source.Script    // nil for an exec-form RUN
	cmd      *shellcmd.Command // the command being read; nil in exec form and inside find/xargs
	assigned map[string]bool   // shell variables the RUN sets
}

// word is one argument of a command: its value when known.
type word struct {
	v   string
	ok  bool
	raw string // the word as written
}

// mounts returns the mount points of a RUN's --mount flags: what is
// written there stays out of the image.
func mounts(in *source.Instruction) []string {
	var out []string
	for _, m := range shellcmd.Mounts(in) {
		if m.Type == "secret" || m.Type == "ssh" {
			continue
		}
		if m.Target != "" && path.IsAbs(m.Target) {
			out = append(out, path.Clean(m.Target))
		}
	}
	return out
}

func (a *analysis) run(in *source.Instruction, st *state) {
	r := &runCtx{in: in, st: st, env: st.env.clone(), cwd: st.workdir, assigned: map[string]bool{}}
	if in.JSON {
		var argv []string
		if err := json.Unmarshal([]byte(in.Args()), &argv); err != nil || len(argv) == 0 {
			a.problem("line %d: cannot read the exec-form RUN", in.StartLine)
			return
		}
		words := make([]word, len(argv))
		for i, v := range argv {
			words[i] = word{v: v, ok: true, raw: v}
		}
		a.command(r, words)
		return
	}
	s, err := in.Script()
	if err != nil {
		reason := err.Error()
		if errors.Is(err, source.ErrNotShell) {
			reason = strings.TrimPrefix(reason, source.ErrNotShell.Error()+": ")
		}
		a.problem("line %d: cannot read the RUN command (%s)", in.StartLine, reason)
		return
	}
	if s.Heredoc == nil && strings.Contains(s.Text, "<<") && len(in.Heredocs) > 0 {
		a.problem("line %d: cannot read the RUN command (here-document)", in.StartLine)
		return
	}
	r.script = s
	list := shellcmd.Commands(s)
	cmds := make(map[*syntax.CallExpr]*shellcmd.Command, len(list))
	for _, c := range list {
		cmds[c.Call] = c
	}
	pipeSh := false
	syntax.Walk(s.File, func(n syntax.Node) bool {
		switch x := n.(type) {
		case *syntax.Word:
			// Commands sit inside a word only in command and process
			// substitutions: skip the parts of every other word.
			return strings.ContainsAny(s.Text[x.Pos().Offset():x.End().Offset()], "`(")
		case *syntax.BinaryCmd:
			if x.Op == syntax.Pipe || x.Op == syntax.PipeAll {
				if c, ok := x.Y.Cmd.(*syntax.CallExpr); ok && len(c.Args) > 0 {
					switch path.Base(c.Args[0].Lit()) {
					case "sh", "bash", "sudo":
						pipeSh = true
					}
				}
			}
		case *syntax.DeclClause:
			if x.Variant != nil && (x.Variant.Value == "export" || x.Variant.Value == "declare" || x.Variant.Value == "local") {
				for _, as := range x.Args {
					r.assign(as)
				}
			}
		case *syntax.CallExpr:
			if len(x.Args) == 0 {
				for _, as := range x.Assigns {
					r.assign(as)
				}
				return true
			}
			c := cmds[x]
			if c == nil {
				return true
			}
			local := r.env
			if len(c.Env) > 0 || len(x.Assigns) > 0 {
				local = r.env.clone()
				for _, as := range x.Assigns {
					if as.Name != nil {
						if v, ok := expandWord(as.Value, r.env); ok || as.Value == nil {
							local.set(as.Name.Value, v)
						} else {
							local.unset(as.Name.Value)
						}
					}
				}
				for _, kv := range c.Env { // env A=b cmd
					k, v, _ := strings.Cut(kv, "=")
					if !assigned(x, k) {
						local.set(k, v)
					}
				}
			}
			words := make([]word, len(c.Args))
			for i, w := range c.Args {
				v, ok := expandWord(w.Node, local)
				if ok {
					v = r.tilde(v)
				}
				words[i] = word{v: v, ok: ok, raw: s.Text[w.Node.Pos().Offset():w.Node.End().Offset()]}
			}
			saved := r.env
			r.env, r.cmd = local, c
			a.command(r, words)
			r.env, r.cmd = saved, nil
		case *syntax.Redirect:
			switch x.Op {
			case syntax.RdrOut, syntax.AppOut, syntax.RdrAll, syntax.AppAll, syntax.ClbOut:
				if v, ok := expandWord(x.Word, r.env); ok && x.N == nil || ok && x.N.Value == "1" {
					a.write(r, v)
				}
			}
		}
		return true
	})
	if pipeSh {
		// curl ... | bash: setup scripts such as NodeSource's add apt sources.
		a.aptSrc = true
		a.opaque = appendNew(a.opaque, "a script piped into a shell")
	}
	a.installs = append(a.installs, r.installs...)
}

// assign applies a shell variable assignment of the RUN.
func (r *runCtx) assign(as *syntax.Assign) {
	if as == nil || as.Name == nil {
		return
	}
	r.assigned[as.Name.Value] = true
	if as.Array != nil || as.Index != nil {
		r.env.unset(as.Name.Value)
		return
	}
	if as.Naked {
		return
	}
	if v, ok := expandWord(as.Value, r.env); ok || as.Value == nil {
		if as.Append {
			old, _ := r.env.get(as.Name.Value)
			v = old + v
		}
		r.env.set(as.Name.Value, v)
		return
	}
	r.env.unset(as.Name.Value)
}

// tilde expands a leading "~" with the home directory.
func (r *runCtx) tilde(v string) string {
	if v != "~" && !strings.HasPrefix(v, "~/") {
		return v
	}
	home, ok := r.env.get("HOME")
	if !ok {
		return v
	}
	return home + v[1:]
}

// path resolves a command argument against the RUN's working directory;
// "" when that is not possible.
func (r *runCtx) path(w word) string {
	if !w.ok || w.v == "" || strings.HasPrefix(w.v, "~") {
		return ""
	}
	if path.IsAbs(w.v) {
		return path.Clean(w.v)
	}
	if r.cwd == "" {
		return ""
	}
	return path.Join(r.cwd, w.v)
}

// write records a file the RUN writes through a redirection or tee.
func (a *analysis) write(r *runCtx, target string) {
	if target == "" || target == "/dev/null" || strings.HasPrefix(target, "/dev/") {
		return
	}
	if strings.HasPrefix(target, "/etc/apt/") && !strings.HasPrefix(target, "/etc/apt/apt.conf.d/") {
		a.aptSrc = true
	}
	if p := r.path(word{v: target, ok: true}); p != "" {
		a.output(r.in, p)
	}
}

func assigned(c *syntax.CallExpr, name string) bool {
	for _, as := range c.Assigns {
		if as.Name != nil && as.Name.Value == name {
			return true
		}
	}
	return false
}

// outWord records the path an argument names, or a problem when it cannot
// be resolved (a variable of unknown value, an unknown directory).
func (a *analysis) outWord(r *runCtx, w word) {
	if p := r.path(w); p != "" {
		a.outDir(r, p)
		return
	}
	raw := w.raw
	if raw == "" {
		raw = w.v
	}
	a.problem("line %d: cannot tell which path %s names", r.in.StartLine, raw)
}

// outDir records a directory the build writes to; "" (unknown) and "/"
// are problems.
func (a *analysis) outDir(r *runCtx, dir string) {
	switch dir {
	case "":
		a.problem("line %d: cannot tell which directory the build writes to", r.in.StartLine)
	case "/":
		a.problem("line %d: the build writes to / (no WORKDIR): its output cannot be named", r.in.StartLine)
	default:
		a.output(r.in, dir)
	}
}
