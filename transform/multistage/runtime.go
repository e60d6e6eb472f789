package multistage

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/source"
)

// runtimeInstr is a CMD, ENTRYPOINT or HEALTHCHECK with the environment
// it sees.
type runtimeInstr struct {
	in   *source.Instruction
	text string // the command: for HEALTHCHECK, what follows CMD
	json bool
	env  env
}

// readRuntime reads what the image runs: the last ENTRYPOINT with the last
// CMD as its arguments (exec form), or the last CMD alone, and the last
// HEALTHCHECK. With an ENTRYPOINT, CMD's words are arguments, not
// commands ("--name"), and a shell-form ENTRYPOINT ignores CMD.
func (a *analysis) readRuntime(ris []runtimeInstr) {
	var cmd, entry, health *runtimeInstr
	for i := range ris {
		ri := &ris[i]
		if strings.HasPrefix(strings.TrimSpace(ri.text), "[") && !ri.json {
			// buildkit runs invalid JSON as a shell command: what it
			// meant to run cannot be read ("dotnet run" went unseen).
			a.problem("line %d: %s looks like JSON but is not valid JSON (it would run as a shell command)", ri.in.StartLine, ri.in.Keyword)
			continue
		}
		switch ri.in.Keyword {
		case "CMD":
			cmd = ri
		case "ENTRYPOINT":
			entry = ri
		case "HEALTHCHECK":
			health = ri
		}
	}
	if entry != nil {
		a.runtime(entry)
	} else if cmd != nil {
		a.runtime(cmd)
	}
	if health != nil {
		a.runtime(health)
	}
}

// runtime records the commands an instruction runs.
func (a *analysis) runtime(ri *runtimeInstr) {
	if ri.json {
		var words []string
		if err := json.Unmarshal([]byte(ri.text), &words); err != nil || len(words) == 0 {
			return
		}
		a.runtimeCmd(words)
		// sh -c "...": read the command inside.
		if len(words) >= 3 && (path.Base(words[0]) == "sh" || path.Base(words[0]) == "bash") && words[1] == "-c" {
			a.runtime(&runtimeInstr{in: ri.in, text: words[2], env: ri.env})
		}
		return
	}
	p := syntax.NewParser(syntax.Variant(syntax.LangBash))
	file, err := p.Parse(strings.NewReader(ri.text), "")
	if err != nil {
		return
	}
	syntax.Walk(file, func(n syntax.Node) bool {
		c, ok := n.(*syntax.CallExpr)
		if !ok {
			return true
		}
		var argv []string // from the first word that is not "exec"
		for _, w := range c.Args {
			v, ok := expandWord(w, ri.env)
			if !ok {
				if len(argv) == 0 {
					break
				}
				continue
			}
			if len(argv) > 0 || v != "exec" {
				argv = append(argv, v)
			}
		}
		if len(argv) > 0 {
			a.runtimeCmd(argv)
		}
		return true
	})
}

// runtimeCmd records a command line the image runs, and the interpreter
// it needs.
func (a *analysis) runtimeCmd(argv []string) {
	c := argv[0]
	if c == "" || strings.Contains(c, "$") {
		return
	}
	a.runtimeArgv = append(a.runtimeArgv, argv)
	if !slices.Contains(a.runtimeCmds, c) {
		a.runtimeCmds = append(a.runtimeCmds, c)
	}
	if need := interpreterOf(path.Base(c)); need != "" {
		a.needs[need] = true
	}
	for _, w := range argv[1:] {
		if need := interpreterOf(path.Base(w)); need != "" && strings.Contains(w, ".") {
			a.needs[need] = true // python3 -m app, sh run.py
		}
	}
}

// interpreterOf returns the interpreter a program name or a script name
// needs: python, node, perl, ruby or java; "" for others.
func interpreterOf(name string) string {
	switch {
	case strings.HasPrefix(name, "python"), name == "gunicorn", name == "uvicorn", strings.HasSuffix(name, ".py"):
		return "python"
	case name == "node", name == "npm", name == "npx", name == "yarn", name == "pnpm", strings.HasSuffix(name, ".js"), strings.HasSuffix(name, ".mjs"):
		return "node"
	case name == "perl", strings.HasSuffix(name, ".pl"):
		return "perl"
	case name == "ruby", name == "bundle", name == "rails", name == "rake", name == "rackup", name == "puma", strings.HasSuffix(name, ".rb"):
		return "ruby"
	case name == "java", strings.HasSuffix(name, ".jar"):
		return "java"
	}
	return ""
}
