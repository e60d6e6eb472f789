package multistage

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/debmeta"
)

// planPackages names the packages the final stage installs.
func (p *plan) planPackages(a *analysis, o *ruleOptions, run []string) {
	helpers := a.nodeBuild && a.compilers() && !a.needs["python"]
	q := PackageQuery{Path: a.f.Path, Stage: slices.Index(a.f.Stages, a.stage), Base: p.base, Run: run}
	for _, i := range a.installs {
		// A -dev package removed again still names the libraries the
		// artifacts link to.
		if i.fam != famApt || i.removed && !isDevName(i.name) {
			continue
		}
		q.Installed = append(q.Installed, InstalledPackage{
			Name: i.name, Operand: i.op, BuildOnly: buildOnly(i.fam, i.name), Recommends: i.recommends,
			Helper: helpers && helperRE.MatchString(i.name),
		})
	}
	base := p.base
	if a.toolImage == nil {
		base = a.base // the same image, its variables expanded
	}
	// An interpreter the artifacts need comes from a package when the
	// runtime base is a plain distribution image, or when a package the
	// stage installed brought it in (python3-pip brings python3).
	plain := false
	if name, _ := imageName(base); name == "debian" || name == "ubuntu" || name == "buildpack-deps" {
		plain = true
	}
	for _, n := range []string{"python", "node", "perl", "ruby", "java"} {
		if !a.needs[n] {
			continue
		}
		if plain || slices.ContainsFunc(q.Installed, func(i InstalledPackage) bool { return interpreterFamily[n].MatchString(i.Name) }) {
			q.Needs = append(q.Needs, n)
		}
	}
	if base == "" {
		return
	}
	switch fam := familyOf(base); {
	case a.family == famApk || fam == famApk:
		a.problem("dockmend ships no Alpine package metadata (Alpine's indices cannot be fetched where it is made), so the run-time packages cannot be named")
		return
	case a.family != "" && a.family != famApt:
		a.problem("dockmend names run-time packages only for Debian and Ubuntu images (apt); this stage uses %s", a.family)
		return
	case fam == "":
		// scratch or distroless: nothing can be installed.
		if len(q.Installed) > 0 || len(q.Needs) > 0 {
			q.Releases = releasesOf(base, o)
			if pkgs, err := o.packages.RuntimePackages(q); err != nil || len(pkgs) > 0 {
				a.problem("the runtime base %s has no package manager, and the artifacts may need packages", p.base)
			}
		}
		return
	case fam != famApt:
		a.problem("dockmend names run-time packages only for Debian and Ubuntu images (apt); %s is not one", base)
		return
	}
	q.Releases = releasesOf(base, o)
	q.Staged, q.SameBase = p.staging != "", a.toolImage == nil
	for _, x := range p.artifacts {
		q.Artifacts = append(q.Artifacts, x.path)
	}
	pkgs, err := o.packages.RuntimePackages(q)
	if err != nil {
		a.problem("%v", err)
		if errors.As(err, new(noMetadataError)) {
			a.noMetadata = fmt.Sprint(err)
		}
		return
	}
	p.packages = pkgs
	p.aptFiles = a.aptSrc && len(pkgs) > 0
}

// interpreterFamily matches the Debian packages that bring an interpreter
// along: whoever installed one of them had the interpreter from Debian.
var interpreterFamily = map[string]*regexp.Regexp{
	"python": regexp.MustCompile(`^(?:python3?(?:\.[0-9]+)?(?:-.*)?|cython3|libpython3.*)$`),
	"node":   regexp.MustCompile(`^(?:nodejs|npm|node-.*|yarnpkg|libnode.*)$`),
	"perl":   regexp.MustCompile(`^(?:perl|lib.*-perl|libperl.*|cpanminus)$`),
	"ruby":   regexp.MustCompile(`^(?:ruby.*|bundler|libruby.*)$`),
	"java":   regexp.MustCompile(`^(?:default-jdk.*|default-jre.*|openjdk-.*|maven|gradle|ant|lib.*-java)$`),
}

// debianBased are the official images built on Debian whose tag may leave
// the release out: it is then the current one.
var debianBased = map[string]bool{
	"debian": true, "python": true, "node": true, "golang": true, "rust": true, "gcc": true, "buildpack-deps": true,
	"ruby": true, "perl": true, "php": true, "openjdk": true,
}

// releasesOf returns the possible releases of an image (see
// PackageQuery.Releases).
func releasesOf(ref string, o *ruleOptions) []string {
	if o.releases != nil {
		if m, ok := o.releases.Lookup(ref); ok {
			return []string{m.Base}
		}
	}
	name, tag := imageName(ref)
	if tag == "" && strings.Contains(ref, "@") && o.lockTag != nil {
		// A digest without a tag: the lock file knows which tag it was.
		if tagged, ok := o.lockTag(ref[strings.IndexByte(ref, '@')+1:]); ok {
			if r := releasesOf(tagged, &ruleOptions{releases: o.releases}); len(r) == 1 {
				return r
			}
		}
	}
	switch {
	case name == "ubuntu":
		if r := debmeta.UbuntuRelease(tag, true); r != "" {
			return []string{r}
		}
		return []string{"ubuntu"}
	case name == "eclipse-temurin" || strings.HasPrefix(name, "mcr.microsoft.com/dotnet/"):
		if r := debmeta.UbuntuRelease(tag, false); r != "" {
			return []string{r}
		}
		if r := debmeta.DebianRelease(tag, false); r != "" {
			return []string{r}
		}
		if name == "eclipse-temurin" {
			return []string{"ubuntu"}
		}
		return nil
	}
	if r := debmeta.DebianRelease(tag, name == "debian"); r != "" {
		return []string{r}
	}
	if r := debmeta.UbuntuRelease(tag, false); r != "" {
		return []string{r}
	}
	if debianBased[name] {
		switch tag {
		case "", "latest", "stable", "stable-slim", "slim":
			return debmeta.Releases()
		}
		if name != "debian" {
			return debmeta.Releases()
		}
	}
	return nil
}

var windowsPathRE = regexp.MustCompile(`^/?[A-Za-z]:[\\/]`)

func isWindowsPath(p string) bool { return windowsPathRE.MatchString(p) || strings.Contains(p, `\`) }
