// Package debmeta is the Debian package metadata dockmend ships: for each
// supported release, which run-time packages the artifacts of a build
// need when the build-time packages it installed are dropped
// (libfmt-dev -> libfmt9, libjansson-dev -> libjansson4), which packages
// every image of the release already has, and which packages recommend
// ca-certificates, netbase or tzdata.
//
// The data is generated from Debian's own package indices by
// "go generate ./internal/debmeta" (see gen/main.go and
// docs/multistage.md), which records in each file's header the date and
// version of the index it read. It is embedded in the binary as text and
// parsed on first use, once per Catalog.
//
// # How the run-time packages are derived
//
// For a development package D (a name ending in -dev, or in the libdevel
// section), the run-time packages are the packages D depends on (first
// alternative; a virtual package with a single provider is that
// provider) that are built from D's source package and are not
// themselves development or documentation packages, plus shared-library
// packages (section libs) it depends on. A development package D depends
// on is followed when it comes from D's source, or when D has no
// run-time package of its own (libboost-program-options-dev is a pointer
// to libboost-program-options1.74-dev): libxml2-dev gives libxml2 but not
// what libicu-dev gives. The C and C++ toolchain (glibc, gcc, llvm,
// linux headers) is never followed: its run-time libraries are in every
// image. For the other build-only packages (compilers, build systems, see
// BuildOnly), the run-time packages are a short table (gfortran ->
// libgfortran5). To either list are added ca-certificates, netbase and
// tzdata when the package pulls them in (Depends, Pre-Depends or
// Recommends, at any depth), so that the final image keeps them; packages
// every image of the release has are removed, and so are packages that
// another package of the list depends on (apt installs them anyway).
//
// A virtual package that only build-only packages provide (libc-dev) maps
// to what its providers need.
//
// The base of a release is what debootstrap's minbase variant installs
// (the official debian images): the Essential and required packages and
// apt, with the dependencies that have no alternative.
package debmeta

import (
	"embed"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"sync"
)

//go:generate go run ./gen -out data bookworm trixie

//go:embed data
var data embed.FS

// DataPackages are packages of data that programs read without linking to
// them: the final image keeps them when the original had them.
var DataPackages = []string{"ca-certificates", "netbase", "tzdata"}

// Releases lists the releases whose metadata is shipped, oldest first.
func Releases() []string {
	entries, _ := data.ReadDir("data")
	var out []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".txt"); ok {
			out = append(out, name)
		}
	}
	slices.SortFunc(out, func(a, b string) int { return releaseNumber(a) - releaseNumber(b) })
	return out
}

// Catalog loads the shipped releases on first use and keeps them. It is
// safe for concurrent use; one Catalog per run loads each release once.
type Catalog struct {
	mu       sync.Mutex
	releases map[string]*Release
}

// NewCatalog returns an empty catalog.
func NewCatalog() *Catalog { return &Catalog{releases: map[string]*Release{}} }

// Release returns the metadata of the release with the given code name
// ("bookworm"); ok is false when dockmend ships none for it.
func (c *Catalog) Release(name string) (r *Release, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if r, ok := c.releases[name]; ok {
		return r, r != nil
	}
	b, err := data.ReadFile("data/" + name + ".txt")
	if err != nil || !validName(name) {
		c.releases[name] = nil
		return nil, false
	}
	r, err = parse(string(b))
	if err != nil {
		// The embedded data is generated and tested: this is a bug.
		panic(fmt.Sprintf("debmeta: embedded data for %s: %v", name, err))
	}
	c.releases[name] = r
	return r, true
}

var nameRE = regexp.MustCompile(`^[a-z]+$`)

func validName(s string) bool { return nameRE.MatchString(s) }

// Release is the metadata of one release.
type Release struct {
	// Name is the release's code name ("bookworm"), Version its number
	// ("12.12") and Date the date of the index it was made from, as the
	// generated file's header records them.
	Name, Version, Date string

	runtime    map[string]string // build-only package -> run-time packages, space-separated
	base       map[string]bool
	recommends map[string]map[string]bool // data package -> packages that recommend it
}

// Runtime returns the run-time packages that the artifacts of a build
// need once the build-only package pkg is dropped (nil when none), with
// the data packages it brought into the image (with its recommendations
// too when recommends); known is false when pkg is not a build-only
// package of the release.
func (r *Release) Runtime(pkg string, recommends bool) (pkgs []string, known bool) {
	v, ok := r.runtime[pkg]
	if !ok {
		return nil, false
	}
	for _, p := range strings.Fields(v) {
		if q, rec := strings.CutPrefix(p, "?"); rec {
			if !recommends {
				continue
			}
			p = q
		}
		pkgs = append(pkgs, p)
	}
	return pkgs, true
}

// InBase reports whether every image of the release has pkg.
func (r *Release) InBase(pkg string) bool { return r.base[pkg] }

// Recommended returns the data packages (see DataPackages) that some
// package of pkgs recommends, or depends on a package that recommends
// (curl -> libcurl4 -> ca-certificates), and that an install without
// recommendations therefore leaves out.
func (r *Release) Recommended(pkgs []string) []string {
	var out []string
	for _, d := range DataPackages {
		for _, p := range pkgs {
			if r.recommends[d][p] {
				out = append(out, d)
				break
			}
		}
	}
	return out
}

// BuildOnly reports whether the release knows pkg as a build-only package:
// it has a line in the data (every package BuildOnly names, and the
// libdevel section).
func (r *Release) BuildOnly(pkg string) bool {
	_, ok := r.runtime[pkg]
	return ok
}

// Parse reads a release's data file (see Data.Write for the format).
func Parse(rd io.Reader) (*Release, error) {
	b, err := io.ReadAll(io.LimitReader(rd, maxData+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxData {
		return nil, fmt.Errorf("more than %d bytes", maxData)
	}
	return parse(string(b))
}

// maxData bounds a data file.
const maxData = 64 << 20

// parse reads a data file held in memory. Its values are substrings of
// data: loading costs one map of the entries.
func parse(data string) (*Release, error) {
	r := &Release{runtime: make(map[string]string, strings.Count(data, "\n")), base: map[string]bool{}, recommends: map[string]map[string]bool{}}
	line := 0
	for len(data) > 0 {
		line++
		var t string
		t, data, _ = strings.Cut(data, "\n")
		switch {
		case t == "":
		case strings.HasPrefix(t, "# "):
			k, v, ok := strings.Cut(strings.TrimPrefix(t, "# "), ": ")
			if !ok {
				continue
			}
			switch k {
			case "release":
				r.Name = v
			case "version":
				r.Version = v
			case "date":
				r.Date = v
			}
		case strings.HasPrefix(t, "@base "):
			for _, p := range strings.Fields(t)[1:] {
				r.base[p] = true
			}
		case strings.HasPrefix(t, "@recommends "):
			f := strings.Fields(t)
			if len(f) < 2 {
				return nil, fmt.Errorf("line %d: @recommends without a package", line)
			}
			set := make(map[string]bool, len(f)-2)
			for _, p := range f[2:] {
				set[p] = true
			}
			r.recommends[f[1]] = set
		default:
			name, rest, _ := strings.Cut(t, " ")
			if name == "" || strings.ContainsAny(name, "@#") {
				return nil, fmt.Errorf("line %d: malformed entry %q", line, t)
			}
			r.runtime[name] = rest
		}
	}
	if r.Name == "" || len(r.base) == 0 {
		return nil, fmt.Errorf("no release name or no base packages")
	}
	return r, nil
}

// releaseNumber is the Debian version number of a code name, for sorting;
// 0 for a name it does not know.
func releaseNumber(name string) int {
	for n, r := range debianReleases {
		if r == name {
			return n
		}
	}
	return 0
}

// debianReleases maps Debian's major version numbers to code names.
var debianReleases = map[int]string{6: "squeeze", 7: "wheezy", 8: "jessie", 9: "stretch", 10: "buster", 11: "bullseye", 12: "bookworm", 13: "trixie", 14: "forky"}

// ubuntuReleases are Ubuntu's code names by version.
var ubuntuReleases = map[string]string{"18.04": "bionic", "20.04": "focal", "22.04": "jammy", "24.04": "noble", "24.10": "oracular", "25.04": "plucky"}

// MergedUsr reports whether a release's images have /bin, /sbin and /lib
// as links into /usr: Debian from bookworm on, Ubuntu from jammy on (the
// releases whose official images are known to). False for a release it
// does not know, and for "ubuntu" (no release named).
func MergedUsr(release string) bool {
	if n := releaseNumber(release); n != 0 {
		return n >= 12
	}
	for v, name := range ubuntuReleases {
		if name == release {
			return v >= "22.04"
		}
	}
	return false
}

// DebianRelease returns the Debian code name that an image tag names, or
// "" when it names none: "bookworm", "bookworm-slim", "3.12-slim-trixie",
// "bookworm-20240513"; for the debian image itself (debianImage) also the
// version: "12", "12.5-slim", "13". "stable", "testing" and untagged
// references move with time and name no release.
func DebianRelease(tag string, debianImage bool) string {
	for _, part := range strings.Split(tag, "-") {
		for _, name := range debianReleases {
			if part == name {
				return name
			}
		}
	}
	if debianImage {
		first, _, _ := strings.Cut(tag, "-")
		major, _, _ := strings.Cut(first, ".")
		for n, name := range debianReleases {
			if major == fmt.Sprint(n) {
				return name
			}
		}
	}
	return ""
}

// UbuntuRelease returns the Ubuntu code name an image tag names, or "".
func UbuntuRelease(tag string, ubuntuImage bool) string {
	for _, part := range strings.Split(tag, "-") {
		for _, name := range ubuntuReleases {
			if part == name {
				return name
			}
		}
	}
	if ubuntuImage {
		first, _, _ := strings.Cut(tag, "-")
		if name, ok := ubuntuReleases[first]; ok {
			return name
		}
	}
	return ""
}

// versionedTools are build-only packages by pattern: versioned compilers
// and toolchains.
var versionedTools = regexp.MustCompile(`^(?:gcc-[0-9]+-multilib|g\+\+-[0-9]+-multilib|gcc-[0-9]+|g\+\+-[0-9]+|cpp-[0-9]+|clang-[0-9]+|llvm-[0-9]+|lld-[0-9]+|gfortran-[0-9]+|golang-[0-9.]+-go|golang-[0-9.]+|openjdk-[0-9]+-jdk|openjdk-[0-9]+-jdk-headless|libmaven.*-java|python3\.[0-9]+-venv|python3\.[0-9]+-dev)$`)

// buildTools are the Debian packages that only a build needs besides the
// -dev packages: compilers, build systems, language toolchains, version
// control, package installers.
var buildTools = map[string]bool{}

func init() {
	for _, n := range strings.Fields(`build-essential gcc g++ cpp clang llvm lld gfortran gcc-multilib g++-multilib
		make cmake cmake-data ninja-build meson scons autoconf automake autotools-dev autopoint libtool libtool-bin
		pkg-config pkgconf bison flex m4 dpkg-dev ccache nasm yasm swig binutils protobuf-compiler gettext patch
		gperf re2c help2man texinfo
		golang golang-go cargo rustc rust-all
		ocaml ocaml-nox ocaml-native-compilers ocaml-dune ocaml-findlib opam
		default-jdk default-jdk-headless maven gradle ant libsurefire-java junit junit4 junit5
		npm yarnpkg node-gyp git git-core subversion mercurial
		python3-pip python-pip python3-venv python3-wheel python3-setuptools-scm cython3 python3-build
		`) {
		buildTools[n] = true
	}
}

// BuildOnly reports whether the Debian or Ubuntu package pkg (a name,
// without version, possibly with an architecture: gcc:arm64) only serves
// a build: development packages (-dev), compilers, build systems,
// language toolchains and installers, version control. The final image
// drops them. A release's data knows more (the libdevel section): see
// Release.BuildOnly.
func BuildOnly(pkg string) bool {
	pkg = strings.ToLower(pkg)
	if i := strings.LastIndexByte(pkg, ':'); i > 0 && isArch(pkg[i+1:]) {
		pkg = pkg[:i]
	}
	if buildTools[pkg] || len(pkg) > len("-dev") && strings.HasSuffix(pkg, "-dev") {
		return true
	}
	if i := strings.LastIndex(pkg, "-dev-"); i > 0 && crossArchs[pkg[i+len("-dev-"):]] {
		return true // libc6-dev-i386
	}
	return versionedTools.MatchString(pkg)
}

// crossArchs are the architectures of multilib -dev packages
// (libc6-dev-i386).
var crossArchs = map[string]bool{"i386": true, "amd64": true, "arm64": true, "armhf": true, "armel": true, "x32": true, "ppc64el": true, "s390x": true}

// isArch reports whether s can be a Debian architecture qualifier.
func isArch(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if !('a' <= c && c <= 'z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

// toolRuntime are the run-time packages of build-only packages that are
// not development packages: what their output links to that not every
// image has.
var toolRuntime = []struct {
	pattern *regexp.Regexp
	runtime []string
}{
	{regexp.MustCompile(`^gfortran(-[0-9]+)?$`), []string{"libgfortran5"}},
}

// stopSources are the source packages of the C and C++ toolchain: a
// development package's dependency from one of them is never followed
// (unless it is the package's own source), since the run-time libraries
// of the toolchain are in every image.
var stopSources = regexp.MustCompile(`^(?:glibc|gcc-[0-9.]+|gcc-defaults|llvm-toolchain-.*|llvm-defaults|linux|libxcrypt|rpcsvc-proto|libtirpc|libnsl)$`)
