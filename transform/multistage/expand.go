package multistage

import (
	"maps"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/shellcmd"
)

// env holds the variables whose values are known at a point of the stage:
// ENV values, ARG defaults, the toolchain image's own environment and, in
// a RUN, what the shell program sets. A variable declared without a known
// value maps to unknown.
type env map[string]envValue

type envValue struct {
	value string
	known bool
}

func (e env) clone() env {
	if e == nil {
		return env{}
	}
	return maps.Clone(e)
}

func (e env) set(name, value string) { e[name] = envValue{value, true} }

// declared reports whether name was set (with a known value or not).
func (e env) declared(name string) bool {
	_, ok := e[name]
	return ok
}
func (e env) unset(name string) { e[name] = envValue{} }
func (e env) get(name string) (string, bool) {
	v, ok := e[name]
	return v.value, ok && v.known
}

// Get and Keys make env a buildkit shell.EnvGetter. Variables of unknown
// value are reported missing, so that expansion records them as unmatched.
func (e env) Get(name string) (string, bool) { return e.get(name) }

// Keys lists the variables of known value.
func (e env) Keys() []string {
	var ks []string
	for k, v := range e {
		if v.known {
			ks = append(ks, k)
		}
	}
	return ks
}

// expandDockerfile expands $VAR and ${VAR...} in a Dockerfile argument as
// buildkit does. ok is false when the text uses a variable of unknown
// value.
func expandDockerfile(text string, escape rune, e env) (string, bool) {
	if !strings.Contains(text, "$") {
		return text, true
	}
	lex := shell.NewLex(escape)
	res, err := lex.ProcessWordWithMatches(text, e)
	if err != nil || len(res.Unmatched) > 0 {
		return "", false
	}
	return res.Result, true
}

// expandWord returns the value of a shell word when it is made only of
// literal text, quotes and simple parameter expansions of known
// variables.
func expandWord(w *syntax.Word, e env) (string, bool) {
	return shellcmd.Expand(w, e.lookup)
}

// lookup is e as a shellcmd.Lookup.
func (e env) lookup(name string) (string, bool, bool) {
	v, declared := e[name]
	return v.value, declared && v.known, declared
}
