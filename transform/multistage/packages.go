package multistage

import (
	"regexp"
	"strings"
)

// Package families: how the final stage installs packages.
const (
	famApt = "apt" // Debian, Ubuntu: apt-get, dpkg
	famApk = "apk" // Alpine
	famRPM = "rpm" // Fedora, RHEL and friends: dnf, yum, microdnf
	famZyp = "zypper"
)

// buildOnlyRE matches the names of packages that only a build needs:
// compilers, build systems, headers, language toolchains, version control.
// The final stage drops them; every other installed package is kept.
var buildOnlyRE = map[string]*regexp.Regexp{
	famApt: regexp.MustCompile(`^(` +
		`build-essential|gcc|g\+\+|cpp|gcc-[0-9]+|g\+\+-[0-9]+|cpp-[0-9]+|clang|clang-[0-9]+|llvm|llvm-[0-9]+|lld|lld-[0-9]+|gfortran|gfortran-[0-9]+|` +
		`make|cmake|cmake-data|ninja-build|meson|scons|autoconf|automake|autotools-dev|libtool|libtool-bin|pkg-config|pkgconf|bison|flex|m4|dpkg-dev|ccache|` +
		`nasm|yasm|swig|binutils|protobuf-compiler|gettext|patch|` +
		`golang|golang-go|golang-[0-9.]+-go|golang-[0-9.]+|cargo|rustc|rust-all|` +
		`default-jdk|default-jdk-headless|openjdk-[0-9]+-jdk|openjdk-[0-9]+-jdk-headless|maven|gradle|ant|libmaven.*-java|libsurefire-java|junit|junit4|junit5|` +
		`npm|yarnpkg|node-gyp|git|git-core|subversion|mercurial|` +
		`python3-pip|python-pip|python3-venv|python3-wheel|python3-setuptools-scm|cython3|` +
		`.+-dev` +
		`)(:[a-z0-9]+)?$`),
	famApk: regexp.MustCompile(`^(` +
		`build-base|gcc|g\+\+|clang[0-9]*|llvm[0-9]*|make|cmake|samurai|meson|autoconf|automake|libtool|pkgconf|pkgconfig|bison|flex|m4|` +
		`musl-dev|linux-headers|go|cargo|rust|openjdk[0-9]+-jdk|maven|gradle|npm|yarn|git|` +
		`py3-pip|py3-wheel|.+-dev` +
		`)$`),
	famRPM: regexp.MustCompile(`^(` +
		`gcc|gcc-c\+\+|gcc-gfortran|clang|llvm|make|cmake|ninja-build|meson|autoconf|automake|libtool|pkgconfig|pkgconf-pkg-config|bison|flex|m4|` +
		`golang|go-toolset|cargo|rust|rust-toolset|java-[0-9.]+-openjdk-devel|maven|gradle|npm|git|` +
		`python3-pip|python3-wheel|.+-devel|@development-tools|@development|development tools` +
		`)$`),
	famZyp: regexp.MustCompile(`^(` +
		`gcc|gcc-c\+\+|clang|llvm|make|cmake|ninja|meson|autoconf|automake|libtool|pkg-config|bison|flex|m4|` +
		`go|cargo|rust|java-[0-9_]+-openjdk-devel|maven|gradle|npm|git|python3-pip|.+-devel|pattern:devel_basis` +
		`)$`),
}

// buildOnly reports whether pkg (without version) only serves a build.
func buildOnly(fam, pkg string) bool {
	re := buildOnlyRE[fam]
	return re != nil && re.MatchString(strings.ToLower(pkg))
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

// dataPackages are Debian packages of data that programs read at run time
// without linking to them: they go to the final stage whenever the build
// stage has them.
var dataPackages = []string{"ca-certificates", "netbase", "tzdata"}

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
