package pkgdb

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
)

func TestParseDpkgStatus(t *testing.T) {
	f, err := os.Open("testdata/dpkg-status")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	pkgs, err := ParseDpkgStatus(f)
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 42 {
		t.Errorf("%d packages, want 42", len(pkgs))
	}
	want := map[string]Package{
		"bash":     {Name: "bash", Version: "5.2.15-2+b8", Arch: "amd64", Source: "bash", SourceVersion: "5.2.15-2"},
		"libssl3":  {Name: "libssl3", Version: "3.0.19-1~deb12u2", Arch: "amd64", Source: "openssl", SourceVersion: "3.0.19-1~deb12u2"},
		"bsdutils": {Name: "bsdutils", Version: "1:2.38.1-5+deb12u3", Arch: "amd64", Source: "util-linux", SourceVersion: "2.38.1-5+deb12u3"},
		"zlib1g":   {Name: "zlib1g", Version: "1:1.2.13.dfsg-1", Arch: "amd64", Source: "zlib", SourceVersion: "1:1.2.13.dfsg-1"},
	}
	for _, p := range pkgs {
		if w, ok := want[p.Name]; ok {
			if p != w {
				t.Errorf("%s = %+v, want %+v", p.Name, p, w)
			}
			delete(want, p.Name)
		}
	}
	if len(want) > 0 {
		t.Errorf("missing %v", want)
	}
}

func TestParseDpkgStatusStates(t *testing.T) {
	in := "Package: a\nStatus: install ok installed\nVersion: 1\n\n" +
		"Package: b\nStatus: deinstall ok config-files\nVersion: 2\n\n" +
		"Package: c\nVersion: 3\nDescription: no status: a status.d entry\n continued\n .\n"
	pkgs, err := ParseDpkgStatus(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 2 || pkgs[0].Name != "a" || pkgs[1].Name != "c" {
		t.Errorf("got %+v", pkgs)
	}
	for _, bad := range []string{" continuation first\n", "Package: x\nStatus: install ok installed\n", "no colon here\n"} {
		if _, err := ParseDpkgStatus(strings.NewReader(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func TestParseApkInstalled(t *testing.T) {
	data, err := os.ReadFile("testdata/apk-installed")
	if err != nil {
		t.Fatal(err)
	}
	pkgs, err := ParseApkInstalled(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if len(pkgs) != 6 {
		t.Fatalf("%d packages, want 6", len(pkgs))
	}
	if p := pkgs[2]; p.Name != "libcrypto3" || p.Source != "openssl" || p.Version != "3.1.4-r2" || p.Arch != "x86_64" {
		t.Errorf("libcrypto3 = %+v", p)
	}
}

func TestParseOSRelease(t *testing.T) {
	o := ParseOSRelease([]byte("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nNAME=\"Debian GNU/Linux\"\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\nID=debian\n# comment\n"))
	if o != (OSRelease{ID: "debian", VersionID: "12", VersionCodename: "bookworm", PrettyName: "Debian GNU/Linux 12 (bookworm)"}) {
		t.Errorf("got %+v", o)
	}
}

// entry is one tar entry of a test layer.
type entry struct {
	name, body, link string
	typ              byte
}

func layerData(t testing.TB, entries []entry) []byte {
	t.Helper()
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: e.typ, Linkname: e.link}
		if h.Typeflag == 0 {
			h.Typeflag = tar.TypeReg
		}
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	return buf.Bytes()
}

func gz(t testing.TB, data []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	zw.Write(data)
	zw.Close()
	return buf.Bytes()
}

type opener struct{ opened []int }

func (o *opener) layer(i int, data []byte, mt string) Layer {
	return Layer{Digest: "sha256:layer" + string(rune('0'+i)), MediaType: mt, Size: int64(len(data)), Open: func(context.Context) (io.ReadCloser, error) {
		o.opened = append(o.opened, i)
		return io.NopCloser(bytes.NewReader(data)), nil
	}}
}

func TestScanTopDown(t *testing.T) {
	status, _ := os.ReadFile("testdata/dpkg-status")
	osRelease := "ID=debian\nVERSION_ID=\"12\"\nVERSION_CODENAME=bookworm\n"
	junk := strings.Repeat("x", 200<<10)
	o := &opener{}
	layers := []Layer{
		o.layer(0, gz(t, layerData(t, []entry{
			{name: "etc/", typ: tar.TypeDir},
			{name: "etc/os-release", typ: tar.TypeSymlink, link: "../usr/lib/os-release"},
			{name: "usr/lib/os-release", body: osRelease},
			{name: "var/lib/dpkg/status", body: "Package: old\nStatus: install ok installed\nVersion: 1\n"},
		})), "application/vnd.oci.image.layer.v1.tar+gzip"),
		o.layer(1, gz(t, layerData(t, []entry{{name: "./var/lib/dpkg/status", body: string(status)}, {name: "usr/bin/junk", body: junk}})), "application/vnd.docker.image.rootfs.diff.tar.gzip"),
		o.layer(2, layerData(t, []entry{{name: "app/main", body: "binary"}}), "application/vnd.oci.image.layer.v1.tar"),
	}
	res, err := Scan(context.Background(), layers, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != Dpkg || len(res.Packages) != 42 || res.OS == nil || res.OS.VersionCodename != "bookworm" || res.Incomplete != "" {
		t.Fatalf("got kind %q, %d packages, os %+v, incomplete %q", res.Kind, len(res.Packages), res.OS, res.Incomplete)
	}
	if res.LayersRead != 3 || len(o.opened) != 3 || o.opened[0] != 2 {
		t.Errorf("layers read %d, opened %v", res.LayersRead, o.opened)
	}

	// Once both are found, lower layers are not opened.
	o2 := &opener{}
	top := o2.layer(1, gz(t, layerData(t, []entry{{name: "var/lib/dpkg/status", body: string(status)}, {name: "etc/os-release", body: osRelease}})), "")
	res, err = Scan(context.Background(), []Layer{o2.layer(0, []byte("not even a tar"), ""), top}, Options{})
	if err != nil || len(res.Packages) != 42 || res.Incomplete != "" {
		t.Fatalf("%v %d %q", err, len(res.Packages), res.Incomplete)
	}
	if len(o2.opened) != 1 {
		t.Errorf("opened %v, want only the top layer", o2.opened)
	}
}

func TestScanWhiteoutsAndDistroless(t *testing.T) {
	o := &opener{}
	layers := []Layer{
		o.layer(0, layerData(t, []entry{
			{name: "var/lib/dpkg/status.d/base", body: "Package: base-files\nVersion: 12.4\n"},
			{name: "var/lib/dpkg/status.d/gone", body: "Package: gone\nVersion: 1\n"},
			{name: "etc/os-release", body: "ID=debian\nVERSION_ID=12\n"},
		}), ""),
		o.layer(1, layerData(t, []entry{
			{name: "var/lib/dpkg/status.d/.wh.gone", body: ""},
			{name: "var/lib/dpkg/status.d/libssl3", body: "Package: libssl3\nSource: openssl\nVersion: 3.0.11-1~deb12u2\n"},
		}), ""),
	}
	res, err := Scan(context.Background(), layers, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, p := range res.Packages {
		names = append(names, p.Name)
	}
	if res.Kind != Dpkg || strings.Join(names, ",") != "base-files,libssl3" || res.OS == nil {
		t.Errorf("kind %q packages %v os %v", res.Kind, names, res.OS)
	}

	// A whiteout of the status file above hides the one below.
	o = &opener{}
	layers = []Layer{
		o.layer(0, layerData(t, []entry{{name: "var/lib/dpkg/status", body: "Package: a\nVersion: 1\n"}, {name: "etc/os-release", body: "ID=debian\n"}}), ""),
		o.layer(1, layerData(t, []entry{{name: "var/lib/dpkg/.wh.status"}}), ""),
	}
	res, err = Scan(context.Background(), layers, Options{})
	if err != nil || res.Kind != "" || len(res.Packages) != 0 {
		t.Errorf("whited-out status: %v %q %v", err, res.Kind, res.Packages)
	}
}

func TestScanApkZstd(t *testing.T) {
	db, _ := os.ReadFile("testdata/apk-installed")
	var buf bytes.Buffer
	zw, _ := zstd.NewWriter(&buf)
	zw.Write(layerData(t, []entry{{name: "lib/apk/db/installed", body: string(db)}, {name: "etc/os-release", body: "ID=alpine\nVERSION_ID=3.19.1\n"}}))
	zw.Close()
	o := &opener{}
	res, err := Scan(context.Background(), []Layer{o.layer(0, buf.Bytes(), "application/vnd.oci.image.layer.v1.tar+zstd")}, Options{})
	if err != nil || res.Kind != Apk || len(res.Packages) != 6 || res.OS.ID != "alpine" {
		t.Errorf("%v %q %d %+v", err, res.Kind, len(res.Packages), res.OS)
	}
}

func TestScanLimits(t *testing.T) {
	junk := strings.Repeat("y", 1<<20)
	o := &opener{}
	layers := []Layer{
		o.layer(0, layerData(t, []entry{{name: "var/lib/dpkg/status", body: "Package: a\nVersion: 1\n"}}), ""),
		o.layer(1, layerData(t, []entry{{name: "big", body: junk}}), ""),
	}
	res, err := Scan(context.Background(), layers, Options{MaxBytes: 256 << 10})
	if err != nil {
		t.Fatal(err)
	}
	if res.Kind != "" || !strings.Contains(res.Incomplete, "gave up after 0.3 MB") || res.BytesRead != 256<<10 {
		t.Errorf("kind %q incomplete %q read %d", res.Kind, res.Incomplete, res.BytesRead)
	}
	if len(o.opened) != 1 {
		t.Errorf("opened %v", o.opened)
	}

	// A database file larger than MaxFile is refused, not read.
	res, err = Scan(context.Background(), []Layer{o.layer(2, layerData(t, []entry{{name: "lib/apk/db/installed", body: junk}}), "")}, Options{MaxFile: 1000})
	if err != nil || !strings.Contains(res.Incomplete, "more than the 1000 bytes") {
		t.Errorf("%v %q", err, res.Incomplete)
	}

	// A layer that fails to open ends the scan with a reason.
	bad := Layer{Digest: "sha256:bad", Open: func(context.Context) (io.ReadCloser, error) { return nil, errors.New("boom") }}
	res, err = Scan(context.Background(), []Layer{bad}, Options{})
	if err != nil || !strings.Contains(res.Incomplete, "boom") {
		t.Errorf("%v %q", err, res.Incomplete)
	}

	// A compressed media type whose data is not compressed.
	res, _ = Scan(context.Background(), []Layer{o.layer(3, layerData(t, nil), "application/vnd.oci.image.layer.v1.tar+gzip")}, Options{})
	if !strings.Contains(res.Incomplete, "not compressed that way") {
		t.Errorf("%q", res.Incomplete)
	}
}

func FuzzParseDpkgStatus(f *testing.F) {
	data, _ := os.ReadFile("testdata/dpkg-status")
	f.Add(data[:2000])
	f.Add([]byte("Package: a\nVersion: 1\n"))
	f.Fuzz(func(t *testing.T, in []byte) {
		ParseDpkgStatus(bytes.NewReader(in))
		ParseApkInstalled(bytes.NewReader(in))
		ParseOSRelease(in)
	})
}
