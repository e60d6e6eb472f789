package multistage

import (
	"encoding/json"
	"path"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/source"
)

// runtime records what CMD, ENTRYPOINT and HEALTHCHECK run.
func (a *analysis) runtime(in *source.Instruction, text string, jsonForm bool, st *state) {
	var words []string
	if jsonForm {
		if err := json.Unmarshal([]byte(text), &words); err != nil {
			return
		}
		if len(words) > 0 {
			a.runtimeCmd(words, st)
		}
		// sh -c "..." : read the command inside.
		if len(words) >= 3 && (path.Base(words[0]) == "sh" || path.Base(words[0]) == "bash") && words[1] == "-c" {
			a.runtime(in, words[2], false, st)
		}
	} else {
		p := syntax.NewParser(syntax.Variant(syntax.LangBash))
		file, err := p.Parse(strings.NewReader(text), "")
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
				v, ok := expandWord(w, st.env)
				if !ok {
					if len(argv) == 0 {
						break
					}
					continue
				}
				if len(argv) > 0 || v != "exec" {
					argv = append(argv, v)
				}
				words = append(words, v)
			}
			if len(argv) > 0 {
				a.runtimeCmd(argv, st)
			}
			return true
		})
	}
	if !in.Is("HEALTHCHECK") {
		for _, w := range words {
			if p, sys := runtimePath(w, st); p != "" && !sys && !slices.Contains(a.runtimePaths, p) {
				a.runtimePaths = append(a.runtimePaths, p)
			}
		}
	}
}

// runtimeCmd records the command of a runtime argv: a name, which the
// record step looks up with command -v, or an absolute path.
func (a *analysis) runtimeCmd(argv []string, st *state) {
	c := argv[0]
	if c == "" || strings.Contains(c, "$") {
		return
	}
	a.runtimeArgv = append(a.runtimeArgv, argv)
	if !strings.Contains(c, "/") {
		if !slices.Contains(a.runtimeCmds, c) {
			a.runtimeCmds = append(a.runtimeCmds, c)
		}
		return
	}
	if p, _ := runtimePath(c, st); p != "" && !slices.Contains(a.runtimeCmds, p) {
		a.runtimeCmds = append(a.runtimeCmds, p)
	}
}

// systemDirs hold what packages install: a path there that CMD names comes
// with its package, or is looked up in the build stage.
var systemDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/share", "/etc/alternatives"}

// pseudoDirs are never in an image's layers.
var pseudoDirs = []string{"/proc", "/dev", "/sys", "/tmp", "/var/tmp", "/run"}

// runtimePath returns the absolute path a CMD word names, or "", and
// whether it lies in a system directory.
func runtimePath(w string, st *state) (p string, system bool) {
	if strings.ContainsAny(w, " =$*?") || w == "" {
		return "", false
	}
	switch {
	case path.IsAbs(w):
		p = path.Clean(w)
	case strings.HasPrefix(w, "./") && st.workdir != "":
		p = path.Join(st.workdir, w)
	default:
		return "", false
	}
	if p == "/" || coveredBy(pseudoDirs, p) {
		return "", false
	}
	return p, coveredBy(systemDirs, p)
}
