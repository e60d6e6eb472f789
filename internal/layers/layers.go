// Package layers writes down how dockmend's packages are layered. Every
// package belongs to one layer, and imports only packages of its own layer
// and of the layers below, so that the rules never reach the command line
// and a newcomer knows where new code goes. Its test holds the tree to the
// table (as crane's depcheck does) and keeps README.md's table of
// packages, each with the job its doc comment gives, current.
package layers

import "strings"

// Layer is a level of the tree.
type Layer struct {
	// Name says what the layer's packages do.
	Name string
	// Packages are import paths below the module; one ending in "/"
	// stands for every package below that directory not named elsewhere.
	Packages []string
}

// Table returns the layers, lowest first: a package may import packages
// of its own layer and of those before it, never of those after.
func Table() []Layer {
	return []Layer{
		{"foundation: the Dockerfile model, edits, files, registries and data", []string{
			"internal/buildkitparser", "internal/source", "internal/edit", "internal/shellcmd", "internal/imageref", "internal/resolve",
			"internal/lockfile", "internal/config", "internal/discover", "internal/diff", "internal/atomicfile",
			"internal/regfile", "internal/gitcmd", "internal/redact", "internal/plural", "internal/ordered",
			"internal/severity", "internal/tagver", "internal/distroinfo", "internal/debmeta", "internal/pkgdb", "internal/vulndb",
			"internal/runtimebase", "internal/version", "internal/golden", "internal/testregistry",
			"internal/builder", "internal/buildfacts", "internal/buildtest", "internal/imagediff", "internal/toolcache", "internal/flaggroup",
			"internal/progress",
		}},
		{"the rules' API", []string{"transform"}},
		{"the rules, one package each, and their kits", []string{"transform/"}},
		{"running rules over files, and reporting", []string{
			"internal/engine", "internal/driver", "internal/ruleset", "internal/report", "internal/transformtest",
			"internal/base", "internal/verify",
		}},
		{"many repositories", []string{"internal/migrate"}},
		{"the library behind the commands", []string{"internal/session"}},
		{"the command line", []string{"internal/cli"}},
		{"commands, and tests of the whole", []string{"cmd/", "internal/debmeta/gen", "internal/corpus", "internal/layers", "internal/projectfiles"}},
	}
}

// Of returns the index in Table of the layer of pkg (an import path below
// the module), or -1. A package named in a layer wins over a directory.
func Of(pkg string) int {
	found := -1
	for i, l := range Table() {
		for _, p := range l.Packages {
			switch {
			case p == pkg:
				return i
			case strings.HasSuffix(p, "/") && strings.HasPrefix(pkg, p) && found < 0:
				found = i
			}
		}
	}
	return found
}
