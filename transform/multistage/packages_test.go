package multistage

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// referenceBuildOnly is the specification buildOnlyNames implements, as
// one regular expression per family. buildOnly must agree with it on
// every name.
var referenceBuildOnly = map[string]*regexp.Regexp{
	famApt: regexp.MustCompile(`^(` +
		`build-essential|gcc|g\+\+|cpp|gcc-[0-9]+|gcc-multilib|g\+\+-multilib|gcc-[0-9]+-multilib|g\+\+-[0-9]+-multilib|.+-dev-(i386|amd64|arm64|armhf|armel|x32|ppc64el|s390x)|g\+\+-[0-9]+|cpp-[0-9]+|clang|clang-[0-9]+|llvm|llvm-[0-9]+|lld|lld-[0-9]+|gfortran|gfortran-[0-9]+|` +
		`make|cmake|cmake-data|ninja-build|meson|scons|autoconf|automake|autotools-dev|libtool|libtool-bin|pkg-config|pkgconf|bison|flex|m4|dpkg-dev|ccache|` +
		`nasm|yasm|swig|binutils|protobuf-compiler|gettext|patch|gperf|re2c|help2man|texinfo|autopoint|` +
		`golang|golang-go|golang-[0-9.]+-go|golang-[0-9.]+|cargo|rustc|rust-all|` +
		`ocaml|ocaml-nox|ocaml-native-compilers|ocaml-dune|ocaml-findlib|opam|` +
		`default-jdk|default-jdk-headless|openjdk-[0-9]+-jdk|openjdk-[0-9]+-jdk-headless|maven|gradle|ant|libmaven.*-java|libsurefire-java|junit|junit4|junit5|` +
		`npm|yarnpkg|node-gyp|git|git-core|subversion|mercurial|` +
		`python3-pip|python-pip|python3-venv|python3\.[0-9]+-venv|python3-wheel|python3-setuptools-scm|cython3|python3-build|` +
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

// TestBuildOnlyMatchesReference compares buildOnly with the reference
// expressions on every listed name, its variants, and (when the shared
// corpus is present) every word of every corpus Dockerfile.
func TestBuildOnlyMatchesReference(t *testing.T) {
	names := []string{
		"", "-dev", "a-dev", "-devel", "x-devel", "libssl-dev", "libssl-dev:amd64", "libssl-dev:", "libssl-dev:AMD64",
		"gcc", "gcc-12", "gcc-12-base", "gcc:arm64", "g++-10", "g++", "clang", "clang15", "clang-15", "llvm14", "llvm",
		"golang-1.21-go", "golang-1.21", "golang-go", "openjdk-17-jdk", "openjdk-17-jdk-headless", "openjdk17-jdk",
		"libmaven-shared-utils-java", "libmaven-java", "java-17-openjdk-devel", "java-1_8_0-openjdk-devel",
		"pattern:devel_basis", "development tools", "@development-tools", "curl", "ca-certificates", "python3", "Gcc",
		"make:amd64", "make:", "git:i386:amd64", "x:y-dev",
	}
	for _, n := range []string{"gcc", "build-essential", "libpq-dev", "go"} {
		names = append(names, n+"x", "x"+n, strings.ToUpper(n))
	}
	if files, _ := filepath.Glob(filepath.Join(*corpusDir, "*.Dockerfile")); len(files) > 0 {
		seen := map[string]bool{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range strings.Fields(string(data)) {
				if !seen[w] {
					seen[w] = true
					names = append(names, w, packageName(w))
				}
			}
		}
		t.Logf("%d distinct corpus words", len(seen))
	}
	for _, fam := range []string{famApt, famApk, famRPM, famZyp} {
		for _, n := range names {
			want := referenceBuildOnly[fam].MatchString(strings.ToLower(n))
			if got := buildOnly(fam, n); got != want {
				t.Errorf("buildOnly(%q, %q) = %v, the reference says %v", fam, n, got, want)
			}
		}
	}
	if buildOnly("pacman", "gcc") {
		t.Error("an unknown family has build-only packages")
	}
}

// BenchmarkBuildOnly measures the matcher on a typical install line.
func BenchmarkBuildOnly(b *testing.B) {
	names := []string{"curl", "ca-certificates", "build-essential", "libpq-dev", "gcc-12", "python3", "git", "tzdata"}
	for b.Loop() {
		for _, n := range names {
			buildOnly(famApt, n)
		}
	}
}
