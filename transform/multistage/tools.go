package multistage

import (
	"slices"
	"strings"
)

// detectFamily tells which package family the final stage's packages
// belong to, from the installs or, for toolchain images, from the runtime
// base's name.
func (a *analysis) detectFamily() string {
	for _, i := range a.installs {
		return i.fam
	}
	b := strings.ToLower(a.base)
	if a.toolImage != nil {
		b = strings.ToLower(a.toolImage.Base)
	}
	return familyOf(b)
}

// familyOf guesses an image's package family from its name.
func familyOf(image string) string {
	image = strings.ToLower(image)
	switch {
	case image == "":
		return ""
	case strings.Contains(image, "alpine"), strings.Contains(image, "wolfi"), strings.Contains(image, "chainguard"):
		return famApk
	case strings.Contains(image, "fedora"), strings.Contains(image, "centos"), strings.Contains(image, "rocky"),
		strings.Contains(image, "almalinux"), strings.Contains(image, "ubi"), strings.Contains(image, "amazonlinux"),
		strings.Contains(image, "oraclelinux"), strings.Contains(image, "amazoncorretto"):
		return famRPM
	case strings.Contains(image, "opensuse"), strings.Contains(image, "sles"):
		return famZyp
	case image == "scratch", strings.Contains(image, "distroless"):
		return ""
	}
	return famApt
}

// tools lists the build tools the final image keeps: the toolchain image
// and the build-only packages still installed at the end of the stage.
func (a *analysis) tools() []string {
	var out []string
	if a.toolImage != nil {
		out = append(out, a.base)
	}
	for _, i := range a.installs {
		if !i.removed && buildOnly(i.fam, i.name) && !slices.Contains(out, i.name) {
			out = append(out, i.name)
		}
	}
	return out
}

// compilers reports whether a C compiler is in the final image, so that
// installing Python or Node packages may compile native code.
func (a *analysis) compilers() bool {
	if a.toolImage != nil {
		return true
	}
	for _, i := range a.installs {
		if i.removed {
			continue
		}
		switch n := i.name; {
		case n == "build-essential", n == "build-base", n == "gcc", n == "g++", n == "clang", n == "gcc-c++", n == "node-gyp",
			strings.HasPrefix(n, "gcc-") && !strings.HasSuffix(n, "-base"), strings.HasPrefix(n, "clang-"):
			return true
		case n == "npm" && i.fam == famApt && i.recommends:
			// Debian's npm depends on node-gyp, which recommends
			// build-essential: npm ci compiles native addons.
			return true
		}
	}
	return false
}

// buildSteps returns the steps that make the stage a build: strong steps
// always, weak ones when a compiler is present.
func (a *analysis) buildSteps() []string {
	out := slices.Clone(a.steps)
	if a.compilers() {
		for _, w := range a.weak {
			if !slices.Contains(out, w) {
				out = append(out, w)
			}
		}
	}
	return out
}
