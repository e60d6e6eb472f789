package debmeta

import (
	"bytes"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"
)

func derived(t *testing.T) *Release {
	t.Helper()
	f, err := os.Open("testdata/Packages")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkgs, err := ParsePackages(f)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := Derive(pkgs).Write(&buf, Header{Release: "test", Version: "1", Date: "today", Index: "Packages", Packages: len(pkgs)}); err != nil {
		t.Fatal(err)
	}
	r, err := Parse(&buf)
	if err != nil {
		t.Fatalf("%v\n%s", err, buf.String())
	}
	return r
}

// TestDerive checks the derivation on a small index that has each case of
// the package documentation.
func TestDerive(t *testing.T) {
	r := derived(t)
	if r.Name != "test" || r.Version != "1" || r.Date != "today" {
		t.Errorf("header: %q %q %q", r.Name, r.Version, r.Date)
	}
	for _, tc := range []struct {
		pkg        string
		recommends bool
		want       []string
	}{
		{"libfmt-dev", true, []string{"libfmt9"}},
		{"libssl-dev", true, []string{"libssl3"}},
		// libssl-dev comes from another source and libcurl has its own
		// run-time package: not followed; libcurl4 recommends
		// ca-certificates.
		{"libcurl4-openssl-dev", true, []string{"libcurl4", "ca-certificates"}},
		{"libcurl4-openssl-dev", false, []string{"libcurl4"}},
		// libicu-dev is another source's: its libraries come as libxml2's
		// dependencies.
		{"libxml2-dev", true, []string{"libxml2"}},
		// A pointer package is followed to the versioned one, whose
		// header-only sibling leads into the toolchain: not followed.
		{"libboost-po-dev", true, []string{"libboost-po1.74.0"}},
		// The C library is in every image.
		{"libc6-dev", true, nil},
		{"python3-dev", true, []string{"python3", "ca-certificates"}},
		{"python3-dev", false, []string{"python3"}},
		{"python3-pip", false, []string{"ca-certificates"}},
		{"gfortran", true, []string{"libgfortran5"}},
		{"libmystery-dev", true, []string{"libmystery2"}},
		{"libicu-dev", true, []string{"libicu72"}},
		// A virtual package that only a build-only package provides.
		{"libmystery-virtual-dev", true, []string{"libmystery2"}},
	} {
		got, ok := r.Runtime(tc.pkg, tc.recommends)
		if !ok || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("Runtime(%s, %v) = %q, %v; want %q", tc.pkg, tc.recommends, got, ok, tc.want)
		}
	}
	if _, ok := r.Runtime("libfmt9", true); ok {
		t.Error("libfmt9 is known as a build-only package")
	}
	var base []string
	for p := range r.base {
		base = append(base, p)
	}
	slices.Sort(base)
	// tar | busybox has alternatives: neither is taken.
	if want := []string{"apt", "dpkg", "gcc-12-base", "libc6", "libgcc-s1", "libstdc++6", "perl-base"}; !reflect.DeepEqual(base, want) {
		t.Errorf("base = %q, want %q", base, want)
	}
	if got := r.Recommended([]string{"libcurl4", "libfmt9"}); !reflect.DeepEqual(got, []string{"ca-certificates"}) {
		t.Errorf("Recommended = %q", got)
	}
	if got := r.Recommended([]string{"libfmt9"}); got != nil {
		t.Errorf("Recommended(libfmt9) = %q", got)
	}
}

func TestParsePackagesErrors(t *testing.T) {
	for _, in := range []string{" continuation first\n", "Package foo\n"} {
		if _, err := ParsePackages(strings.NewReader(in)); err == nil {
			t.Errorf("ParsePackages(%q): no error", in)
		}
	}
}

func TestParseErrors(t *testing.T) {
	for _, in := range []string{"", "# release: x\n", "# release: x\n@base a\n@x y\n", "# release: x\n@base a\n@recommends\n"} {
		if _, err := Parse(strings.NewReader(in)); err == nil {
			t.Errorf("Parse(%q): no error", in)
		}
	}
}

// TestShipped checks the embedded data: every shipped release loads, says
// where it came from, and maps what the e2e fixtures and goldens rely on.
func TestShipped(t *testing.T) {
	rels := Releases()
	if !reflect.DeepEqual(rels, []string{"bookworm", "trixie"}) {
		t.Fatalf("Releases() = %q", rels)
	}
	c := NewCatalog()
	want := map[string]map[string][]string{
		"bookworm": {"libfmt-dev": {"libfmt9"}, "libjansson-dev": {"libjansson4"}, "libssl-dev": {"libssl3"}, "libyaml-dev": {"libyaml-0-2"}, "zlib1g-dev": nil, "make": nil},
		"trixie":   {"libjansson-dev": {"libjansson4"}, "libpng-dev": {"libpng16-16t64"}, "libssl-dev": nil, "make": nil},
	}
	for _, name := range rels {
		r, ok := c.Release(name)
		if !ok {
			t.Fatalf("release %s does not load", name)
		}
		if r.Name != name || r.Version == "" || r.Date == "" {
			t.Errorf("%s: header %q %q %q", name, r.Name, r.Version, r.Date)
		}
		for pkg, rt := range want[name] {
			if got, ok := r.Runtime(pkg, false); !ok || !reflect.DeepEqual(got, rt) {
				t.Errorf("%s: Runtime(%s) = %q, %v; want %q", name, pkg, got, ok, rt)
			}
		}
		for _, p := range []string{"libc6", "apt", "dpkg", "passwd", "libstdc++6"} {
			if !r.InBase(p) {
				t.Errorf("%s: %s is not in the base", name, p)
			}
		}
		for _, p := range []string{"python3", "perl", "curl", "ca-certificates"} {
			if r.InBase(p) {
				t.Errorf("%s: %s is in the base", name, p)
			}
		}
		if again, _ := c.Release(name); again != r {
			t.Errorf("%s: loaded twice", name)
		}
	}
	if _, ok := c.Release("sid"); ok {
		t.Error("sid loads")
	}
	if _, ok := c.Release("../x"); ok {
		t.Error("a path loads")
	}
}

func TestBuildOnly(t *testing.T) {
	for pkg, want := range map[string]bool{
		"gcc": true, "gcc-12": true, "g++:arm64": true, "libfoo-dev": true, "python3-pip": true, "node-gyp": true,
		"openjdk-17-jdk-headless": true, "python3.11-dev": true, "gcc-multilib": true, "libc6-dev-i386": true,
		"curl": false, "python3": false, "libfoo1": false, "-dev": false, "ca-certificates": false, "openjdk-17-jre": false, "libc6-i386": false,
	} {
		if got := BuildOnly(pkg); got != want {
			t.Errorf("BuildOnly(%q) = %v", pkg, got)
		}
	}
}

func TestReleaseOfTag(t *testing.T) {
	for _, tc := range []struct {
		tag    string
		debian bool
		want   string
	}{
		{"bookworm", true, "bookworm"},
		{"bookworm-slim", true, "bookworm"},
		{"12", true, "bookworm"},
		{"12.5-slim", true, "bookworm"},
		{"13", true, "trixie"},
		{"stable", true, ""},
		{"", true, ""},
		{"3.12-slim-trixie", false, "trixie"},
		{"3.12", false, ""},    // python 3.12 is not Debian 12
		{"12-slim", false, ""}, // only the debian image numbers releases
		{"20-bookworm-slim", false, "bookworm"},
	} {
		if got := DebianRelease(tc.tag, tc.debian); got != tc.want {
			t.Errorf("DebianRelease(%q, %v) = %q, want %q", tc.tag, tc.debian, got, tc.want)
		}
	}
	if got := UbuntuRelease("22.04", true); got != "jammy" {
		t.Errorf("UbuntuRelease(22.04) = %q", got)
	}
	if got := UbuntuRelease("17-jre-noble", false); got != "noble" {
		t.Errorf("UbuntuRelease(17-jre-noble) = %q", got)
	}
}

func TestMergedUsr(t *testing.T) {
	for release, want := range map[string]bool{
		"bullseye": false, "bookworm": true, "trixie": true, "forky": true,
		"focal": false, "jammy": true, "noble": true,
		"ubuntu": false, "sid": false, "": false,
	} {
		if got := MergedUsr(release); got != want {
			t.Errorf("MergedUsr(%q) = %v, want %v", release, got, want)
		}
	}
}

// BenchmarkLoad measures what the first use of a release costs a run.
func BenchmarkLoad(b *testing.B) {
	for b.Loop() {
		if _, ok := NewCatalog().Release("bookworm"); !ok {
			b.Fatal("no bookworm")
		}
	}
}

// TestDeriveDeterministic checks that the same index always gives the
// same data, dependency cycles included: go generate must be reproducible.
func TestDeriveDeterministic(t *testing.T) {
	f, err := os.Open("testdata/Packages")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkgs, err := ParsePackages(f)
	if err != nil {
		t.Fatal(err)
	}
	var first string
	for i := range 20 {
		var buf bytes.Buffer
		if err := Derive(pkgs).Write(&buf, Header{Release: "test"}); err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = buf.String()
		} else if buf.String() != first {
			t.Fatalf("run %d differs:\n%s\nfirst:\n%s", i, buf.String(), first)
		}
	}
}
