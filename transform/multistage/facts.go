package multistage

import (
	"errors"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/buildfacts"
)

// factsSource names the run-time packages from a build of the original.
type factsSource struct{ facts *buildfacts.Facts }

// NewFactsSource returns the PackageSource that names the run-time
// packages from what a build of the original image showed, for releases
// whose package metadata dockmend does not ship (dockmend verify builds
// the original and configures the rule with it, see
// transform.Transformer.Inform):
//
//   - every package the stage installs that is not a build tool stays, as
//     written, and a JDK gives its JRE, as with the metadata;
//   - for the files the Dockerfile's steps made that the new final stage
//     copies (all of them when a staged install copies what it wrote
//     wherever it went), the packages that own the shared libraries they
//     load and the interpreters they run (a script's #!, an ELF file's
//     program interpreter); a -minimal package is named by its full
//     package when the original has it (python3-minimal: python3);
//   - the interpreters of the artifacts that the analysis found
//     (PackageQuery.Needs), and the build-only packages the image runs;
//   - ca-certificates, netbase and tzdata when the original's steps
//     installed them (programs read them without loading them).
//
// Packages the runtime base has are left out: when it is the build's own
// base image, those the base image had; otherwise those every image of
// the distribution has (Essential and required packages, apt, and what
// they depend on). So are packages another package of the list depends
// on. Facts cannot name what a program opens at run time (dlopen, a
// Python module's import of a pure-Python package, data files), nor the
// artifacts: those still come from the Dockerfile.
func NewFactsSource(facts *buildfacts.Facts) PackageSource {
	return factsSource{facts: facts}
}

// factsData are the packages read from the build for the run-time files.
var factsData = []string{"ca-certificates", "netbase", "tzdata"}

func (s factsSource) RuntimePackages(q PackageQuery) ([]string, error) {
	f := s.facts
	if f.PackageManager != "dpkg" {
		return nil, errors.New("the build of the original shows no dpkg database to read the packages from")
	}
	// has reports that the runtime base has the package.
	minimal := requiredClosure(f.Packages)
	has := func(pkg string) bool {
		if q.SameBase {
			return f.Packages[pkg].Base
		}
		return minimal[pkg]
	}
	var kept []string // operands, as written
	addKept := func(op string) {
		if op == packageName(op) && has(op) {
			return
		}
		if !slices.ContainsFunc(kept, func(o string) bool { return packageName(o) == packageName(op) }) {
			kept = append(kept, op)
		}
	}
	for _, i := range q.Installed {
		switch {
		case i.Helper:
		case !i.BuildOnly || slices.Contains(q.Run, i.Name):
			addKept(i.Operand)
		case strings.Contains(i.Name, "jdk"):
			if jre, ok := jreFor(i.Name); ok {
				addKept(jre)
			}
		}
	}
	for _, p := range q.Run {
		addKept(p)
	}
	var named []string // packages the facts name
	name := func(pkg string) {
		if pkg == "" || has(pkg) {
			return
		}
		if full, ok := strings.CutSuffix(pkg, "-minimal"); ok {
			if _, installed := f.Packages[full]; installed {
				pkg = full
			}
		}
		if !slices.Contains(named, pkg) && !slices.ContainsFunc(kept, func(o string) bool { return packageName(o) == pkg }) {
			named = append(named, pkg)
		}
	}
	for _, file := range f.Files {
		if !q.Staged && !slices.ContainsFunc(q.Artifacts, func(a string) bool { return covers(a, file.Path) }) {
			continue
		}
		for _, l := range file.Needs {
			name(l.Package)
		}
		name(file.InterpreterPackage)
	}
	for _, n := range q.Needs {
		if n == "java" && slices.ContainsFunc(slices.Concat(kept, named), func(o string) bool { return strings.Contains(o, "-jre") }) {
			continue
		}
		name(interpreterPackages[n])
	}
	for _, p := range factsData {
		if pkg, ok := f.Packages[p]; ok && !pkg.Base {
			name(p)
		}
	}
	// A package that another one of the list depends on comes with it.
	var out []string
	for i, pkg := range named {
		others := slices.Concat(kept, out, named[i+1:])
		if !dependedOn(f.Packages, pkg, others) {
			out = append(out, pkg)
		}
	}
	out = append(out, kept...)
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(packageName(a), packageName(b)) })
	return out, nil
}

// requiredClosure returns the packages every image of the distribution
// has, as far as the installed packages tell: the Essential and required
// ones and apt, and the packages they depend on.
func requiredClosure(pkgs map[string]buildfacts.Package) map[string]bool {
	seen := map[string]bool{}
	var queue []string
	for name, p := range pkgs {
		if p.Required || name == "apt" {
			queue = append(queue, name)
		}
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if seen[name] {
			continue
		}
		seen[name] = true
		queue = append(queue, pkgs[name].Depends...)
	}
	return seen
}

// dependedOn reports whether a package of from (install operands)
// depends on pkg, directly or not.
func dependedOn(pkgs map[string]buildfacts.Package, pkg string, from []string) bool {
	seen := map[string]bool{}
	var queue []string
	for _, op := range from {
		queue = append(queue, pkgs[packageName(op)].Depends...)
	}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		if name == pkg {
			return true
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		queue = append(queue, pkgs[name].Depends...)
	}
	return false
}
