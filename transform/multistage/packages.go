package multistage

import (
	"regexp"
	"strings"

	"github.com/dockmend/dockmend/internal/debmeta"
)

// Package families: how the final stage installs packages.
const (
	famApt = "apt" // Debian, Ubuntu: apt-get, dpkg
	famApk = "apk" // Alpine
	famRPM = "rpm" // Fedora, RHEL and friends: dnf, yum, microdnf
	famZyp = "zypper"
)

// buildOnlyNames are the names of packages that only a build needs, per
// package family: compilers, build systems, headers, language toolchains,
// version control. The final stage drops them; every other installed
// package is kept. A name matches when it is in exact, ends with
// devSuffix, or matches numbered (versioned names such as gcc-12).
var buildOnlyNames = map[string]*nameSet{
	famApk: newNameSet("-dev", `clang[0-9]+|llvm[0-9]+|openjdk[0-9]+-jdk`,
		"build-base", "gcc", "g++", "clang", "llvm", "make", "cmake", "samurai", "meson", "autoconf", "automake", "libtool", "pkgconf", "pkgconfig", "bison", "flex", "m4",
		"musl-dev", "linux-headers", "go", "cargo", "rust", "maven", "gradle", "npm", "yarn", "git",
		"py3-pip", "py3-wheel"),
	famRPM: newNameSet("-devel", "",
		"gcc", "gcc-c++", "gcc-gfortran", "clang", "llvm", "make", "cmake", "ninja-build", "meson", "autoconf", "automake", "libtool", "pkgconfig", "pkgconf-pkg-config", "bison", "flex", "m4",
		"golang", "go-toolset", "cargo", "rust", "rust-toolset", "maven", "gradle", "npm", "git",
		"python3-pip", "python3-wheel", "@development-tools", "@development", "development tools"),
	famZyp: newNameSet("-devel", "",
		"gcc", "gcc-c++", "clang", "llvm", "make", "cmake", "ninja", "meson", "autoconf", "automake", "libtool", "pkg-config", "bison", "flex", "m4",
		"go", "cargo", "rust", "maven", "gradle", "npm", "git", "python3-pip", "pattern:devel_basis"),
}

// nameSet matches package names: a set of names, a suffix, and a pattern
// for versioned names. It is a map lookup for the common case; a single
// regular expression for all of it cost a tenth of the pipeline's time.
type nameSet struct {
	exact     map[string]bool
	devSuffix string
	numbered  *regexp.Regexp // nil when none
}

func newNameSet(devSuffix, numbered string, exact ...string) *nameSet {
	s := &nameSet{exact: map[string]bool{}, devSuffix: devSuffix}
	for _, n := range exact {
		s.exact[n] = true
	}
	if numbered != "" {
		s.numbered = regexp.MustCompile(`^(?:` + numbered + `)$`)
	}
	return s
}

func (s *nameSet) match(name string) bool {
	return s.exact[name] ||
		len(name) > len(s.devSuffix) && strings.HasSuffix(name, s.devSuffix) ||
		s.numbered != nil && s.numbered.MatchString(name)
}

// buildOnly reports whether pkg (without version) only serves a build.
// Debian's names may carry an architecture (gcc:arm64).
func buildOnly(fam, pkg string) bool {
	if fam == famApt {
		return debmeta.BuildOnly(pkg)
	}
	s := buildOnlyNames[fam]
	if s == nil {
		return false
	}
	return s.match(strings.ToLower(pkg))
}

// jreFor maps a Debian JDK package to the JRE package the artifacts run
// on.
func jreFor(pkg string) (string, bool) {
	switch {
	case pkg == "default-jdk":
		return "default-jre", true
	case pkg == "default-jdk-headless":
		return "default-jre-headless", true
	case strings.HasPrefix(pkg, "openjdk-") && strings.HasSuffix(pkg, "-jdk"):
		return strings.TrimSuffix(pkg, "-jdk") + "-jre", true
	case strings.HasPrefix(pkg, "openjdk-") && strings.HasSuffix(pkg, "-jdk-headless"):
		return strings.TrimSuffix(pkg, "-jdk-headless") + "-jre-headless", true
	}
	return "", false
}

// packageName strips a version or release from an install operand:
// "curl=7.88.1-10" -> "curl", "libssl3/bookworm" -> "libssl3",
// "py3-pip~=23" -> "py3-pip".
func packageName(op string) string {
	for i, c := range op {
		switch c {
		case '=', '/', '<', '>', '~':
			if i > 0 {
				return op[:i]
			}
		}
	}
	return op
}
