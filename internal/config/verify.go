package config

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"mvdan.cc/sh/v3/expand"
	"mvdan.cc/sh/v3/syntax"
)

// Verify configures "dockmend verify" (and fix --verify) for one or more
// Dockerfiles: how to build them and the smoke command to run.
type Verify struct {
	// Smoke is the smoke command: shell words given to the container in
	// place of its CMD. An empty string runs the image's own command.
	// Nil means no smoke command.
	Smoke *string `yaml:"smoke"`
	// Context is the build context, relative to the configuration
	// file's directory; "" means the Dockerfile's directory.
	Context string `yaml:"context"`
	// Target builds this stage instead of the last one.
	Target string `yaml:"target"`
	// BuildArgs are build arguments of this build, over build-args.
	BuildArgs map[string]string `yaml:"build-args"`
}

// VerifyFor returns the verify settings of the Dockerfile at file: the
// entry of Verify whose key, a path relative to Dir with forward slashes
// (elements may use path.Match patterns and "**"), matches the file's
// path; nil when none does. When several match, the first in sorted order
// of the keys is taken.
func (c *Config) VerifyFor(file string) *Verify {
	if c == nil || len(c.Verify) == 0 {
		return nil
	}
	rel, ok := relTo(c.Dir, file)
	if !ok {
		return nil
	}
	elems := strings.Split(rel, "/")
	for _, k := range slices.Sorted(maps.Keys(c.Verify)) {
		if matchElems(strings.Split(strings.Trim(k, "/"), "/"), elems) {
			v := c.Verify[k]
			if v.Context != "" && !filepath.IsAbs(v.Context) {
				v.Context = filepath.Join(c.Dir, v.Context)
			}
			return &v
		}
	}
	return nil
}

// SmokeArgs returns the smoke command's words: nil and false when there
// is none, an empty list for the image's own command.
func (v *Verify) SmokeArgs() ([]string, bool) {
	if v == nil || v.Smoke == nil {
		return nil, false
	}
	args, err := ShellWords(*v.Smoke)
	if err != nil {
		return nil, false // Parse has reported it
	}
	return args, true
}

// validateVerify checks the verify section.
func (c *Config) validateVerify() []error {
	var errs []error
	for _, k := range slices.Sorted(maps.Keys(c.Verify)) {
		if err := checkPattern(k); err != nil {
			errs = append(errs, c.Errorf("verify", "%q: %v", k, err))
		}
		v := c.Verify[k]
		if v.Smoke != nil {
			if _, err := ShellWords(*v.Smoke); err != nil {
				errs = append(errs, c.Errorf("verify", "%s: smoke: %v", k, err))
			}
		}
		for _, a := range slices.Sorted(maps.Keys(v.BuildArgs)) {
			if a == "" || strings.ContainsAny(a, "= \t") {
				errs = append(errs, c.Errorf("verify", "%s: build-args: %s is not an ARG name", k, strconv.Quote(a)))
			}
		}
	}
	return errs
}

// ShellWords splits s into words as a POSIX shell does, with quotes and
// backslashes, but without expansions: "$HOME" or "$(cmd)" is an error,
// since the words are given to a container, not run by a shell (use
// sh -c '...' for that). An empty s gives no words.
func ShellWords(s string) ([]string, error) {
	f, err := syntax.NewParser().Parse(strings.NewReader(s), "")
	if err != nil {
		return nil, err
	}
	if len(f.Stmts) == 0 {
		return []string{}, nil
	}
	if len(f.Stmts) > 1 {
		return nil, errors.New("one command only (use sh -c '...' for a script)")
	}
	st := f.Stmts[0]
	call, ok := st.Cmd.(*syntax.CallExpr)
	if !ok || st.Negated || st.Background || len(st.Redirs) > 0 || len(call.Assigns) > 0 {
		return nil, errors.New("a simple command only (use sh -c '...' for pipes, redirections and the like)")
	}
	words := []string{}
	for _, w := range call.Args {
		var bad syntax.Node
		syntax.Walk(w, func(n syntax.Node) bool {
			switch n.(type) {
			case *syntax.ParamExp, *syntax.CmdSubst, *syntax.ArithmExp, *syntax.ProcSubst, *syntax.ExtGlob:
				bad = n
			}
			return bad == nil
		})
		if bad != nil {
			return nil, fmt.Errorf("%q expands at run time; the words are given to the container as they are (use sh -c '...')", s[w.Pos().Offset():w.End().Offset()])
		}
		fields, err := expand.Fields(&expand.Config{}, w)
		if err != nil {
			return nil, err
		}
		words = append(words, strings.Join(fields, " "))
	}
	return words, nil
}
