package multistage

import (
	"fmt"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/debmeta"
)

// A PackageSource names the packages that the new final stage installs,
// by name, with the runtime base's package manager. The default one
// derives them from the Debian package metadata dockmend ships
// (internal/debmeta, NewMetadataSource); NewFactsSource names them from
// a build of the original image (the packages that own what the
// artifacts load and run).
type PackageSource interface {
	// RuntimePackages returns the packages to install, as apt-get
	// install operands, sorted; an error says why they cannot be named,
	// as a clause for a message ("no package metadata for Ubuntu jammy").
	RuntimePackages(q PackageQuery) ([]string, error)
}

// PackageQuery describes the stage being split, for a PackageSource.
type PackageQuery struct {
	// Path is the Dockerfile, Stage the index of the stage being split.
	Path  string
	Stage int
	// Base is the runtime base. Releases are its possible Debian or
	// Ubuntu releases: one when its tag, the lock file or the
	// configuration says which; every release dockmend ships metadata
	// for when it is an official Debian-based image whose tag does not
	// say; none when nothing is known.
	Base     string
	Releases []string
	// Installed lists the packages the stage installs and does not
	// remove again, in order.
	Installed []InstalledPackage
	// Needs lists the interpreters the artifacts need that the runtime
	// base does not have: "python", "node", "perl", "ruby", "java".
	Needs []string
	// Run lists build-only packages that the image's own commands run
	// ("npm start" needs npm).
	Run []string
	// Artifacts are the paths the new final stage copies from the build
	// stage; Staged reports that it also copies what staged installs
	// write, wherever they write it.
	Artifacts []string
	Staged    bool
	// SameBase reports that the runtime base is the build stage's own
	// base image (the tools came from the package manager), not another
	// image (a toolchain image's runtime base).
	SameBase bool
}

// InstalledPackage is a package the stage installs.
type InstalledPackage struct {
	// Name is the package name, Operand as it was written (with a
	// version: "curl=7.88.1-10").
	Name, Operand string
	// BuildOnly reports a package only the build needs (see
	// debmeta.BuildOnly).
	BuildOnly bool
	// Recommends reports an install with recommended packages.
	Recommends bool
	// Helper reports a package that only a build tool needed (python3
	// for node-gyp): the final image does not keep it.
	Helper bool
}

// interpreterPackages are the Debian packages of the interpreters.
var interpreterPackages = map[string]string{
	"python": "python3", "node": "nodejs", "perl": "perl", "ruby": "ruby", "java": "default-jre-headless",
}

// metadataSource is the default PackageSource.
type metadataSource struct{ catalog *debmeta.Catalog }

// NewMetadataSource returns the PackageSource that derives the run-time
// packages from the package metadata of catalog.
func NewMetadataSource(catalog *debmeta.Catalog) PackageSource {
	return metadataSource{catalog: catalog}
}

// noMetadataError is the metadata source's error: the packages cannot be
// named for lack of metadata, which a build of the original can make up
// for (the finding is marked NeedsBuild).
type noMetadataError struct{ error }

func (e noMetadataError) Unwrap() error { return e.error }

func (m metadataSource) RuntimePackages(q PackageQuery) ([]string, error) {
	pkgs, err := m.runtimePackages(q)
	if err != nil {
		return nil, noMetadataError{err}
	}
	return pkgs, nil
}

func (m metadataSource) runtimePackages(q PackageQuery) ([]string, error) {
	if len(q.Releases) == 0 {
		// Without a release, only a build that needs no metadata can be
		// named.
		pkgs, err := m.forRelease(q, "", nil)
		if err != nil {
			return nil, fmt.Errorf("cannot tell the Debian release of %s (name it in the tag, or in the configuration's releases), and %w", q.Base, err)
		}
		return pkgs, nil
	}
	var first []string
	for i, name := range q.Releases {
		rel, ok := m.catalog.Release(name)
		if !ok {
			rel = nil
		}
		pkgs, err := m.forRelease(q, name, rel)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = pkgs
			continue
		}
		if !slices.Equal(first, pkgs) {
			return nil, fmt.Errorf("the tag of %s does not say its Debian release, and the run-time packages differ between %s (%s) and %s (%s): name the release in the tag, or in the configuration's releases",
				q.Base, q.Releases[0], strings.Join(first, " "), name, strings.Join(pkgs, " "))
		}
	}
	return first, nil
}

// forRelease computes the packages for one release; rel is nil when
// dockmend ships no metadata for it.
func (m metadataSource) forRelease(q PackageQuery, release string, rel *debmeta.Release) ([]string, error) {
	var out []string
	var recommending []string // packages whose recommendations the original installed
	add := func(op string, recommends bool) {
		name := packageName(op)
		if rel != nil && op == name && rel.InBase(name) {
			return
		}
		if !slices.ContainsFunc(out, func(o string) bool { return packageName(o) == name }) {
			out = append(out, op)
		}
		if recommends {
			recommending = append(recommending, name)
		}
	}
	var unknown []string
	for _, i := range q.Installed {
		if i.Helper {
			continue
		}
		buildOnly := i.BuildOnly || rel != nil && rel.BuildOnly(i.Name)
		switch {
		case !buildOnly || slices.Contains(q.Run, i.Name):
			add(i.Operand, i.Recommends)
		case strings.Contains(i.Name, "jdk"):
			if jre, ok := jreFor(i.Name); ok {
				add(jre, false)
			}
		case rel == nil:
			if isDevName(i.Name) {
				unknown = append(unknown, i.Name)
			}
		default:
			rt, known := rel.Runtime(i.Name, false)
			if !known && isDevName(i.Name) {
				unknown = append(unknown, i.Name)
			}
			for _, p := range rt {
				add(p, i.Recommends)
			}
		}
	}
	if len(unknown) > 0 {
		switch {
		case release == "":
			return nil, fmt.Errorf("the run-time packages of %s depend on it", list(unknown))
		case rel == nil:
			return nil, fmt.Errorf("dockmend ships no package metadata for %s (it has %s), so the run-time packages of %s cannot be named",
				releaseName(release), strings.Join(debmeta.Releases(), ", "), list(unknown))
		}
		return nil, fmt.Errorf("%s: no such build package in %s's index, so its run-time packages cannot be named", list(unknown), release)
	}
	for _, n := range q.Needs {
		p := interpreterPackages[n]
		if n == "java" && slices.ContainsFunc(out, func(o string) bool { return strings.Contains(o, "-jre") }) {
			continue
		}
		add(p, false)
	}
	for _, p := range q.Run {
		add(p, false)
	}
	if rel != nil {
		for _, d := range rel.Recommended(recommending) {
			add(d, false)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(packageName(a), packageName(b)) })
	return out, nil
}

// isDevName reports a development package name: what needs metadata to be
// mapped to run-time packages.
func isDevName(name string) bool {
	name = packageName(name)
	if i := strings.LastIndexByte(name, ':'); i > 0 {
		name = name[:i]
	}
	return strings.HasSuffix(name, "-dev")
}

// releaseName names a release for a message: "Debian bookworm", "Ubuntu
// jammy".
func releaseName(r string) string {
	if slices.Contains([]string{"bionic", "focal", "jammy", "noble", "oracular", "plucky", "ubuntu"}, r) {
		if r == "ubuntu" {
			return "Ubuntu"
		}
		return "Ubuntu " + r
	}
	return "Debian " + r
}
