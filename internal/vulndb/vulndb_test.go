package vulndb

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/pkgdb"
)

// zipFolder returns an all.zip of the JSON records in testdata/osv/eco.
func zipFolder(t testing.TB, eco string) []byte {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata/osv", eco, "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no records for %s: %v", eco, err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.Create(filepath.Base(f))
		if err != nil {
			t.Fatal(err)
		}
		w.Write(data)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testDB writes the fixture database into a temporary directory.
func testDB(t testing.TB) string {
	t.Helper()
	dir := t.TempDir()
	for _, eco := range Ecosystems {
		os.MkdirAll(filepath.Join(dir, eco), 0o755)
		if err := os.WriteFile(filepath.Join(dir, eco, "all.zip"), zipFolder(t, eco), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func readPackages(t testing.TB, path string, parse func(r *os.File) ([]pkgdb.Package, error)) []pkgdb.Package {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkgs, err := parse(f)
	if err != nil {
		t.Fatal(err)
	}
	return pkgs
}

func dpkgPackages(t testing.TB) []pkgdb.Package {
	return readPackages(t, "../pkgdb/testdata/dpkg-status", func(f *os.File) ([]pkgdb.Package, error) { return pkgdb.ParseDpkgStatus(f) })
}

func summary(r *Result) string {
	var b strings.Builder
	for _, f := range r.Findings {
		b.WriteString(f.ID + " " + f.Severity.String() + " " + f.Source + " " + f.Version + " [" + strings.Join(f.Packages, " ") + "] fixed=" + f.Fixed + " {" + strings.Join(f.Advisories, " ") + "}\n")
	}
	return b.String()
}

func TestMatchDebian(t *testing.T) {
	db, err := Open(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Match("debian", "12", pkgdb.Dpkg, dpkgPackages(t))
	if err != nil {
		t.Fatal(err)
	}
	want := `CVE-2099-0008 critical pam 1.5.2-6+deb12u1 [libpam-modules libpam-modules-bin libpam-runtime] fixed=1.5.2-6+deb12u2 {DEBIAN-CVE-2099-0008}
CVE-2099-0001 high openssl 3.0.19-1~deb12u2 [libssl3 openssl] fixed=3.0.22-1~deb12u2 {DEBIAN-CVE-2099-0001 DSA-9001-1}
CVE-2099-0004 medium util-linux 2.38.1-5+deb12u3 [bsdutils mount util-linux] fixed=2.38.1-5+deb12u4 {DEBIAN-CVE-2099-0004}
CVE-2099-0002 low zlib 1:1.2.13.dfsg-1 [zlib1g] fixed= {DEBIAN-CVE-2099-0002}
CVE-2099-0005 unknown bash 5.2.15-2 [bash] fixed=5.2.15-2+deb12u1 {DEBIAN-CVE-2099-0005}
`
	if got := summary(res); got != want {
		t.Errorf("findings:\n%s\nwant:\n%s", got, want)
	}
	if res.Fixable != 4 || res.Counts["critical"] != 1 || res.Counts["unknown"] != 1 || res.Ecosystem != "Debian:12" {
		t.Errorf("fixable %d counts %v eco %s", res.Fixable, res.Counts, res.Ecosystem)
	}
	// Another release of the same database: the Debian:11 range only.
	res, err = db.Match("debian", "11", pkgdb.Dpkg, []pkgdb.Package{{Name: "libssl1.1", Version: "1.1.1n-0+deb11u5", Source: "openssl", SourceVersion: "1.1.1n-0+deb11u5"}})
	if err != nil || len(res.Findings) != 1 || res.Findings[0].Fixed != "1.1.1w-0+deb11u9" {
		t.Errorf("debian 11: %v %s", err, summary(res))
	}
}

func TestMatchUbuntuAlpine(t *testing.T) {
	db, err := Open(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Match("ubuntu", "22.04", pkgdb.Dpkg, []pkgdb.Package{{Name: "libssl3", Version: "3.0.2-0ubuntu1.15", Source: "openssl", SourceVersion: "3.0.2-0ubuntu1.15"}})
	if err != nil {
		t.Fatal(err)
	}
	// Ubuntu:22.04:LTS counts, Ubuntu Pro's fix does not.
	if got := summary(res); got != "CVE-2099-0101 medium openssl 3.0.2-0ubuntu1.15 [libssl3] fixed=3.0.2-0ubuntu1.18 {UBUNTU-CVE-2099-0101}\n" {
		t.Errorf("ubuntu: %s", got)
	}
	apk := readPackages(t, "../pkgdb/testdata/apk-installed", func(f *os.File) ([]pkgdb.Package, error) { return pkgdb.ParseApkInstalled(f) })
	res, err = db.Match("alpine", "3.19.1", pkgdb.Apk, apk)
	if err != nil {
		t.Fatal(err)
	}
	// zlib 1.3.1-r0 is the fixed version itself: not affected.
	if got := summary(res); got != "CVE-2099-0201 medium openssl 3.1.4-r2 [libcrypto3 libssl3] fixed=3.1.4-r5 {ALPINE-CVE-2099-0201}\n" {
		t.Errorf("alpine: %s", got)
	}
	if _, err := db.Match("fedora", "40", pkgdb.Dpkg, nil); err == nil {
		t.Error("fedora matched")
	}
}

func TestOpenMissing(t *testing.T) {
	_, err := Open(t.TempDir())
	if !errors.Is(err, ErrNoDB) || !strings.Contains(err.Error(), "Debian/all.zip") {
		t.Errorf("err = %v", err)
	}
	// A database with Debian only has no Alpine data: a clear error.
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "Debian"), 0o755)
	os.WriteFile(filepath.Join(dir, "Debian", "all.zip"), zipFolder(t, "Debian"), 0o644)
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Match("alpine", "3.19", pkgdb.Apk, nil); !errors.Is(err, ErrNoDB) {
		t.Errorf("alpine without Alpine/all.zip: %v", err)
	}
	// A corrupt zip is an error naming it.
	os.WriteFile(filepath.Join(dir, "Debian", "all.zip"), []byte("not a zip"), 0o644)
	db, _ = Open(dir)
	if _, err := db.Match("debian", "12", pkgdb.Dpkg, nil); err == nil || !strings.Contains(err.Error(), "all.zip") {
		t.Errorf("corrupt zip: %v", err)
	}
}

func TestInRange(t *testing.T) {
	c := dpkgVersions{}
	evs := []event{{"introduced", "1.0"}, {"fixed", "1.2"}, {"introduced", "2.0"}, {"last_affected", "2.1"}}
	for _, tc := range []struct {
		v     string
		in    bool
		fixed string
	}{
		{"0.9", false, ""}, {"1.0", true, "1.2"}, {"1.1~rc1", true, "1.2"}, {"1.2", false, ""},
		{"1.9", false, ""}, {"2.0", true, ""}, {"2.1", true, ""}, {"2.1.1", false, ""}, {"1:0.1", false, ""},
	} {
		in, fixed, err := inRange(c, evs, tc.v)
		if err != nil || in != tc.in || fixed != tc.fixed {
			t.Errorf("%s: %v %q %v; want %v %q", tc.v, in, fixed, err, tc.in, tc.fixed)
		}
	}
	if _, _, err := inRange(c, []event{{"introduced", "0"}, {"fixed", "not a version!"}}, "1.0"); err == nil {
		t.Error("a bad version compared")
	}
}

func TestSeverity(t *testing.T) {
	for vec, want := range map[string]Severity{
		"CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H":                    Critical,
		"CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N":                    Medium,
		"CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:N/SI:N/SA:N": Critical,
		"CVSS:2.0/garbage": Unknown,
	} {
		if got := cvssSeverity(vec); got != want {
			t.Errorf("%s: %v, want %v", vec, got, want)
		}
	}
}

func TestUpdate(t *testing.T) {
	zips := map[string][]byte{"/Debian/all.zip": zipFolder(t, "Debian"), "/Alpine/all.zip": zipFolder(t, "Alpine"), "/Ubuntu/all.zip": []byte("not a zip")}
	modified := time.Date(2020, 1, 20, 0, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		data, ok := zips[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		http.ServeContent(w, r, "all.zip", modified, bytes.NewReader(data))
	}))
	defer srv.Close()
	dir := t.TempDir()
	got, err := Update(context.Background(), dir, UpdateOptions{URL: srv.URL})
	if err == nil || !strings.Contains(err.Error(), "Ubuntu: GET "+srv.URL+"/Ubuntu/all.zip: not a zip archive") {
		t.Errorf("err = %v", err)
	}
	if len(got) != 2 || !got[0].Changed || got[0].Ecosystem != "Debian" {
		t.Errorf("updated %+v", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "Ubuntu", "all.zip")); err == nil {
		t.Error("a broken download was kept")
	}
	left, _ := filepath.Glob(filepath.Join(dir, "*", ".all.zip-*"))
	if len(left) > 0 {
		t.Errorf("temporary files left: %v", left)
	}
	db, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if res, err := db.Match("debian", "12", pkgdb.Dpkg, dpkgPackages(t)); err != nil || len(res.Findings) != 5 {
		t.Errorf("matching the downloaded database: %v", err)
	}
	// Again: the server says not modified; the copies stay.
	got, _ = Update(context.Background(), dir, UpdateOptions{URL: srv.URL, Ecosystems: []string{"Debian"}})
	if len(got) != 1 || got[0].Changed {
		t.Errorf("second update %+v", got)
	}
	// A limit smaller than the archive refuses it.
	_, err = Update(context.Background(), t.TempDir(), UpdateOptions{URL: srv.URL, Ecosystems: []string{"Debian"}, MaxBytes: 100})
	if err == nil || !strings.Contains(err.Error(), "more than the 100") {
		t.Errorf("limit: %v", err)
	}
}
