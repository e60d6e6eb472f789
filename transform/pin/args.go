package pin

import (
	"slices"
	"sort"
	"strings"

	"github.com/moby/buildkit/frontend/dockerfile/shell"

	"github.com/dockmend/dockmend/internal/source"
)

// platformArgs are the ARGs buildkit sets from the build and target
// platforms before any global ARG (dockerfile2llb defaultArgs). A
// reference that uses one depends on where and for what it is built.
var platformArgs = []string{
	"BUILDPLATFORM", "BUILDOS", "BUILDOSVERSION", "BUILDARCH", "BUILDVARIANT",
	"TARGETPLATFORM", "TARGETOS", "TARGETOSVERSION", "TARGETARCH", "TARGETVARIANT",
	"TARGETSTAGE",
}

// globals is the variable scope of FROM lines: the platform ARGs, then the
// global ARGs in order, each default expanded with what came before it and
// replaced by a --build-arg of the same name, as buildkit's buildMetaArgs
// does.
type globals struct {
	lex  *shell.Lex
	vals map[string]string
	// decls lists the global declarations of each name.
	decls map[string][]*source.Arg
	// buildArg marks names whose value comes from --build-arg.
	buildArg map[string]bool
	// literal marks names whose value is their own default, written
	// without variables.
	literal map[string]bool
	// uses counts, per name, the FROM lines and ARG defaults whose
	// expansion reads it.
	uses map[string]int
}

// expansion is the result of expanding one word.
type expansion struct {
	Result string
	// Vars lists the variables the word reads, set or not, sorted.
	Vars []string
	// Unset lists the variables it reads that have no value, sorted.
	Unset []string
	Err   error
}

func newGlobals(f *source.File, buildArgs map[string]string) *globals {
	g := &globals{
		lex:      shell.NewLex(f.Escape),
		vals:     map[string]string{},
		decls:    map[string][]*source.Arg{},
		buildArg: map[string]bool{},
		literal:  map[string]bool{},
		uses:     map[string]int{},
	}
	for _, name := range platformArgs {
		// Placeholder values: a reference that reads one is never pinned,
		// whatever the value.
		g.vals[name] = "linux"
	}
	for _, a := range f.GlobalArgs {
		g.decls[a.Name] = append(g.decls[a.Name], a)
		if v, ok := buildArgs[a.Name]; ok {
			g.vals[a.Name] = v
			g.buildArg[a.Name] = true
			g.literal[a.Name] = false
			continue
		}
		if !a.HasValue {
			continue
		}
		x := g.expand(a.Inst.Logical[a.ValueStart:a.ValueEnd])
		if x.Err != nil {
			continue
		}
		for _, v := range x.Vars {
			if v != a.Name {
				g.uses[v]++
			}
		}
		g.vals[a.Name] = x.Result
		g.literal[a.Name] = len(x.Vars) == 0
	}
	return g
}

// expand expands word in the global scope without counting a use.
func (g *globals) expand(word string) expansion {
	res, err := g.lex.ProcessWordWithMatches(word, source.MapEnv(g.vals))
	x := expansion{Result: res.Result, Err: err}
	for k := range res.Matched {
		x.Vars = append(x.Vars, k)
	}
	for k := range res.Unmatched {
		x.Vars = append(x.Vars, k)
		x.Unset = append(x.Unset, k)
	}
	sort.Strings(x.Vars)
	sort.Strings(x.Unset)
	return x
}

// use expands word as a FROM line does and counts its variables' uses.
func (g *globals) use(word string) expansion {
	x := g.expand(word)
	for _, v := range x.Vars {
		g.uses[v]++
	}
	return x
}

// wholeArg returns NAME when word is exactly "$NAME" or "${NAME}".
func wholeArg(word string) (string, bool) {
	var name string
	switch {
	case strings.HasPrefix(word, "${") && strings.HasSuffix(word, "}"):
		name = word[2 : len(word)-1]
	case strings.HasPrefix(word, "$"):
		name = word[1:]
	default:
		return "", false
	}
	if name == "" {
		return "", false
	}
	for i, c := range name {
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return "", false
		}
	}
	return name, true
}

// defaultExpr matches "${NAME:-word}" and "${NAME-word}" where word is
// literal, returning NAME and word's range in s.
func defaultExpr(s string) (name string, i, j int, ok bool) {
	if !strings.HasPrefix(s, "${") || !strings.HasSuffix(s, "}") {
		return "", 0, 0, false
	}
	inner := s[2 : len(s)-1]
	k := strings.IndexByte(inner, '-')
	if k <= 0 {
		return "", 0, 0, false
	}
	name = strings.TrimSuffix(inner[:k], ":")
	word := inner[k+1:]
	if _, ok := wholeArg("$" + name); !ok || word == "" || strings.ContainsAny(word, "${}\\`'\"") {
		return "", 0, 0, false
	}
	return name, 2 + k + 1, len(s) - 1, true
}

func isPlatformArg(name string) bool { return slices.Contains(platformArgs, name) }
