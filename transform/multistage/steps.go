package multistage

import (
	"encoding/json"
	"path"
	"strings"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
)

// A finding needs both build tools and a build step in the final stage
// (see run). mayKeepTools looks for the tools, reading only the RUNs that
// name a package manager; mayBuild looks for the steps, reading only the
// names of the commands:
// most stages that install a compiler or start from a toolchain image do
// not build in the final stage, and the analysis, which interprets every
// command of the stage, is the rule's largest cost.

// stepCommands are the command names (as commandName returns them) whose
// reading by analysis.command may record a build step (analysis.step or
// analysis.weakStep). A case of command that records a step must be
// listed here: TestStepCommands checks it.
var stepCommands = map[string]bool{
	"make": true, "gmake": true, "configure": true, "autoreconf": true, "autogen.sh": true, "bootstrap": true,
	"phpize": true, "phpenmod": true, "php-config": true, "docker-php-ext-install": true, "docker-php-ext-enable": true, "pecl": true,
	"dpkg-buildpackage": true, "debuild": true, "cmake": true, "ninja": true, "samu": true, "meson": true,
	"gcc": true, "g++": true, "cc": true, "c++": true, "clang": true, "clang++": true, "rustc": true, "javac": true, "tcc": true, "gfortran": true,
	"jar": true, "go": true, "cargo": true,
	"dune": true, "ocamlfind": true, "ocamlopt": true, "ocamlc": true, "ocamlopt.opt": true, "ocamlc.opt": true,
	"mvn": true, "mvnw": true, "gradle": true, "gradlew": true, "ant": true, "sbt": true, "lein": true,
	"npm": true, "pnpm": true, "yarn": true, "bun": true,
	"tsc": true, "webpack": true, "vite": true, "ng": true, "next": true, "nest": true, "esbuild": true, "rollup": true, "parcel": true, "npx": true,
	"pip": true, "pip3": true, "python": true, "python3": true, "pypy3": true, "perl": true,
	"gem": true, "bundle": true, "bundler": true, "cpanm": true, "cpan": true,
	"uv": true, "poetry": true, "pipenv": true, "dotnet": true,
	"Build": true, // ./Build install
}

// commandName returns the name analysis.command dispatches on for a
// command word's value: its last path element, without the version of a
// versioned compiler or interpreter (gcc-12, python3.11).
func commandName(v string) string {
	name := path.Base(v)
	// versionedTool's names all start with g, c or p: most names need no
	// match.
	if name != "" && strings.IndexByte("gcp", name[0]) >= 0 {
		if m := versionedTool.FindStringSubmatch(name); m != nil {
			name = m[1]
		}
	}
	return name
}

// mayBuild reports whether the analysis of stage s may record a build
// step: whether a RUN of s runs one of stepCommands, directly or through
// find -exec or xargs. It answers yes when it cannot tell: a RUN that
// names one of them but cannot be parsed, a command word that starts with
// ~ (the analysis puts the home directory in its place), an argument of
// find or xargs that is not literal (the analysis expands variables it
// knows). It parses only the RUNs where shellcmd.MayRun finds one of the
// names (or a ~).
//
// The analysis reads only commands with a literal name (shellcmd.Commands
// lists those) and the argv of exec-form RUNs, and gets nothing from a
// RUN it cannot parse, so a stage for which mayBuild is false gets no
// step, and no finding.
func mayBuild(s *source.Stage) bool {
	var words []word // one command line at a time
	for _, in := range s.Instructions {
		if !in.Is("RUN") {
			continue
		}
		if in.JSON {
			var argv []string
			if json.Unmarshal([]byte(in.Args()), &argv) != nil {
				return true
			}
			words = words[:0]
			for _, v := range argv {
				words = append(words, word{v: v, ok: true})
			}
			if mayStep(words) {
				return true
			}
			continue
		}
		// Most RUNs name none of the commands: no need to parse them.
		if !shellcmd.MayRun(in, mayStepName) && !shellcmd.Mentions(in, "~") {
			continue
		}
		sc, err := in.Script()
		if err != nil {
			return true
		}
		for _, c := range shellcmd.Commands(sc) {
			words = words[:0]
			for _, w := range c.Args {
				words = append(words, word{v: w.Value, ok: w.Literal})
			}
			if mayStep(words) {
				return true
			}
		}
	}
	return false
}

// mayStepName reports whether a command of this name may record a build
// step, itself or as find or xargs.
func mayStepName(name string) bool {
	name = commandName(name)
	return stepCommands[name] || name == "find" || name == "xargs"
}

// mayStep reports whether analysis.command may record a build step for
// the command line w (see mayBuild).
func mayStep(w []word) bool {
	if len(w) == 0 || !w[0].ok {
		return false // command skips it
	}
	if strings.HasPrefix(w[0].v, "~") {
		return true
	}
	name := commandName(w[0].v)
	switch name {
	case "find", "xargs":
		// Their commands are among their arguments: look at each, and at
		// whatever is not literal.
		for i := 1; i < len(w); i++ {
			if !w[i].ok || mayStep(w[i:i+1]) {
				return true
			}
		}
		return false
	}
	return stepCommands[name]
}
