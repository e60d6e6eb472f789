package imagediff

import (
	"archive/tar"
	"bytes"
	"crypto/md5"
	"crypto/sha256"
	"debug/elf"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// entry is one tar entry of a test layer.
type entry struct {
	name string
	typ  byte // 0 means a regular file
	mode int64
	body string
	link string
	uid  int
}

func file(name, body string) entry { return entry{name: name, body: body, mode: 0o644} }
func exe(name, body string) entry  { return entry{name: name, body: body, mode: 0o755} }
func dir(name string) entry        { return entry{name: name, typ: tar.TypeDir, mode: 0o755} }
func symlink(name, to string) entry {
	return entry{name: name, typ: tar.TypeSymlink, link: to, mode: 0o777}
}
func whiteout(name string) entry {
	return file(filepath.Join(filepath.Dir(name), ".wh."+filepath.Base(name)), "")
}

func layerTar(t testing.TB, entries []entry) []byte {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	for _, e := range entries {
		h := &tar.Header{Name: e.name, Mode: e.mode, Uid: e.uid, Typeflag: e.typ, Linkname: e.link}
		if e.typ == 0 {
			h.Typeflag = tar.TypeReg
			h.Size = int64(len(e.body))
		}
		if err := tw.WriteHeader(h); err != nil {
			t.Fatal(err)
		}
		if h.Typeflag == tar.TypeReg {
			tw.Write([]byte(e.body))
		}
	}
	tw.Close()
	return b.Bytes()
}

// saveArchive writes a docker-archive as buildah writes one (layers as
// <digest>.tar, linked from <id>/layer.tar) and returns its path.
func saveArchive(t testing.TB, cfg v1.Config, layers ...[]entry) string {
	t.Helper()
	return saveArchiveHistory(t, cfg, nil, layers...)
}

// saveArchiveHistory is saveArchive with the commands that made each
// layer.
func saveArchiveHistory(t testing.TB, cfg v1.Config, createdBy []string, layers ...[]entry) string {
	t.Helper()
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	add := func(name string, data []byte) {
		tw.WriteHeader(&tar.Header{Name: name, Mode: 0o444, Size: int64(len(data)), Typeflag: tar.TypeReg})
		tw.Write(data)
	}
	cf := v1.ConfigFile{Config: cfg, OS: "linux", Architecture: "amd64"}
	for _, c := range createdBy {
		cf.History = append(cf.History, v1.History{CreatedBy: "/bin/sh -c #(nop) ENV X=1", EmptyLayer: true}, v1.History{CreatedBy: c})
	}
	cf.RootFS.Type = "layers"
	var names []string
	for i, l := range layers {
		data := layerTar(t, l)
		sum := sha256.Sum256(data)
		h := v1.Hash{Algorithm: "sha256", Hex: hex.EncodeToString(sum[:])}
		cf.RootFS.DiffIDs = append(cf.RootFS.DiffIDs, h)
		add(h.Hex+".tar", data)
		link := fmt.Sprintf("layer%d/layer.tar", i)
		tw.WriteHeader(&tar.Header{Name: link, Typeflag: tar.TypeSymlink, Linkname: "../" + h.Hex + ".tar"})
		names = append(names, link)
	}
	cfgData, _ := json.Marshal(cf)
	add("config.json", cfgData)
	man, _ := json.Marshal([]manifestEntry{{Config: "config.json", Layers: names}})
	add("manifest.json", man)
	tw.Close()
	p := filepath.Join(t.TempDir(), "image.tar")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func read(t *testing.T, p string) *Image {
	t.Helper()
	img, err := Read(p, ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return img
}

func md5hex(s string) string { h := md5.Sum([]byte(s)); return hex.EncodeToString(h[:]) }

// base is a small Debian-like base layer: merged /usr, dpkg knowing the
// package "tool" with /usr/bin/tool and its configuration file.
func base() []entry {
	return []entry{
		dir("usr"), dir("usr/bin"), symlink("bin", "usr/bin"), dir("etc"), dir("tmp"),
		dir("var"), dir("var/lib"), dir("var/lib/dpkg"), dir("var/lib/dpkg/info"),
		exe("usr/bin/tool", "#!/bin/sh\necho tool\n"),
		exe("usr/bin/sh", "shell"),
		file("etc/tool.conf", "a=1\n"),
		file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"),
		file("etc/group", "root:x:0:\n"),
		file("var/lib/dpkg/status", "Package: tool\nStatus: install ok installed\nVersion: 1.0\nConffiles:\n /etc/tool.conf "+md5hex("a=1\n")+"\n\n"),
		file("var/lib/dpkg/info/tool.list", "/.\n/bin\n/bin/tool\n/etc\n/etc/tool.conf\n"),
		file("var/lib/dpkg/info/tool.md5sums", md5hex("#!/bin/sh\necho tool\n")+"  bin/tool\n"),
	}
}

func TestRead(t *testing.T) {
	p := saveArchive(t, v1.Config{Cmd: []string{"sh"}},
		base(),
		[]entry{dir("app"), exe("app/run", "#!/bin/sh\nexec tool\n"), dir("app/cache"), file("app/cache/a", "x"), file("app/old", "old")},
		[]entry{whiteout("app/old"), whiteout("app/cache"), file("etc/tool.conf", "a=2\n"), entry{name: "app/hard", typ: tar.TypeLink, link: "app/run", mode: 0o700}},
	)
	img := read(t, p)
	if len(img.Layers) != 3 || img.Size() <= 0 || img.CompressedSize() <= 0 || img.CompressedSize() >= img.Size() {
		t.Errorf("layers %d, size %d, compressed %d", len(img.Layers), img.Size(), img.CompressedSize())
	}
	for _, gone := range []string{"/app/old", "/app/cache", "/app/cache/a"} {
		if img.Files[gone] != nil {
			t.Errorf("%s survived its whiteout", gone)
		}
	}
	run := img.Files["/app/run"]
	if run == nil || run.Shebang != "/bin/sh" || run.Layer != 1 || !run.Executable() {
		t.Fatalf("/app/run = %+v", run)
	}
	if h := img.Files["/app/hard"]; h == nil || h.Digest != run.Digest || h.Mode != 0o700 || h.Layer != 2 {
		t.Errorf("hard link /app/hard = %+v", h)
	}
	if img.PackageManager != "dpkg" || img.Packages["tool"] != "1.0" {
		t.Errorf("packages: %s %v", img.PackageManager, img.Packages)
	}
	if got := img.Owner("/bin/tool"); got != "tool" {
		t.Errorf("Owner(/bin/tool) = %q: the merged /usr was not followed", got)
	}
	if !img.PackageFile("/usr/bin/tool") {
		t.Error("/usr/bin/tool as the package shipped it is not a package file")
	}
	if img.PackageFile("/etc/tool.conf") {
		t.Error("/etc/tool.conf, changed by a step, is taken for the package's file")
	}
	if img.PackageFile("/app/run") {
		t.Error("/app/run is taken for a package's file")
	}
	if got := img.Lookup("/bin/tool"); got == nil || got.Path != "/usr/bin/tool" {
		t.Errorf("Lookup(/bin/tool) = %v", got)
	}
	created := Side{Image: img, BaseLayers: 1}.Created()
	want := []string{"/app", "/app/hard", "/app/run", "/etc/tool.conf"}
	if !slices.Equal(created, want) {
		t.Errorf("Created = %q, want %q", created, want)
	}
}

func TestReadErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.tar")
	os.WriteFile(bad, []byte("not a tar file, not at all, but long enough to be read as one block of something"), 0o644)
	if _, err := Read(bad, ReadOptions{}); err == nil {
		t.Error("Read of a file that is not an archive: no error")
	}
	if _, err := Read(filepath.Join(dir, "missing.tar"), ReadOptions{}); err == nil {
		t.Error("Read of a missing file: no error")
	}
	// An archive whose manifest names a layer it does not have.
	var b bytes.Buffer
	tw := tar.NewWriter(&b)
	man := `[{"Config":"c.json","Layers":["nope.tar"]}]`
	tw.WriteHeader(&tar.Header{Name: "manifest.json", Size: int64(len(man)), Mode: 0o644})
	tw.Write([]byte(man))
	cfg := `{"rootfs":{"type":"layers","diff_ids":["sha256:0000000000000000000000000000000000000000000000000000000000000000"]}}`
	tw.WriteHeader(&tar.Header{Name: "c.json", Size: int64(len(cfg)), Mode: 0o644})
	tw.Write([]byte(cfg))
	tw.Close()
	p := filepath.Join(dir, "nolayer.tar")
	os.WriteFile(p, b.Bytes(), 0o644)
	if _, err := Read(p, ReadOptions{}); err == nil || !strings.Contains(err.Error(), "nope.tar") {
		t.Errorf("Read with a missing layer: %v", err)
	}
}

func TestCompare(t *testing.T) {
	baseCfg := v1.Config{Env: []string{"PATH=/usr/bin:/bin", "TOOLCHAIN=1"}, Cmd: []string{"sh"}}
	oldCfg := v1.Config{Env: []string{"PATH=/usr/bin:/bin", "TOOLCHAIN=1", "APP=1"}, Cmd: []string{"/app/run"}, WorkingDir: "/app", User: "app"}
	old := saveArchive(t, oldCfg, base(), []entry{
		dir("app"), exe("app/run", "#!/bin/sh\nexec tool\n"), file("app/data", "data"), exe("app/helper", "#!/usr/bin/tool\n"),
		dir("app/sub"), file("app/sub/a", "a"), file("app/sub/b", "b"),
		dir("var/cache"), dir("var/cache/apt"), file("var/cache/apt/pkgcache.bin", "cache"),
		file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n_sys:x:101:101::/nonexistent:/usr/sbin/nologin\napp:x:10001:10001::/home/app:/bin/sh\n"),
		file("etc/group", "root:x:0:\n_sys:x:101:\napp:x:10001:\n"),
	})
	// The new image: a new base (no TOOLCHAIN, no "tool" package), the
	// app copied without app/data, app/sub and the user, app/run
	// executable no more, the cache gone.
	newBase := []entry{dir("usr"), dir("usr/bin"), symlink("bin", "usr/bin"), exe("usr/bin/sh", "shell"), dir("etc"),
		file("etc/passwd", "root:x:0:0:root:/root:/bin/sh\n"), file("etc/group", "root:x:0:\n"),
		dir("var"), dir("var/lib"), dir("var/lib/dpkg"), file("var/lib/dpkg/status", "")}
	newCfg := v1.Config{Env: []string{"PATH=/usr/bin:/bin", "APP=1"}, Cmd: []string{"/app/run"}, WorkingDir: "/app", User: "app"}
	nw := saveArchive(t, newCfg, newBase, []entry{
		dir("app"), file("app/run", "#!/bin/sh\nexec tool\n"), exe("app/helper", "#!/usr/bin/tool\n"),
	})
	ob := baseCfg
	nb := v1.Config{Env: []string{"PATH=/usr/bin:/bin"}, Cmd: []string{"sh"}}
	c := Compare(Side{Image: read(t, old), BaseLayers: 1, BaseConfig: &ob, Base: "toolchain"},
		Side{Image: read(t, nw), BaseLayers: 1, BaseConfig: &nb, Base: "slim"})
	got := map[string]Difference{}
	for _, d := range c.Differences {
		got[d.Kind+" "+d.Subject] = d
	}
	check := func(key string, expected bool, contains string) {
		t.Helper()
		d, ok := got[key]
		if !ok {
			t.Errorf("no difference %q; got:\n%s", key, list(c.Differences))
			return
		}
		if (d.Expected != "") != expected || !strings.Contains(d.String(), contains) {
			t.Errorf("%s: %s; want expected=%v, containing %q", key, d, expected, contains)
		}
	}
	check("config Env TOOLCHAIN", true, "inherited from the base image, toolchain before and slim after")
	check("missing /app/data", false, "file, 4 bytes")
	check("missing /app/sub", false, "directory with 2 entries")
	check("metadata /app/run", false, "mode 0755 -> 0644")
	check("missing /var/cache", true, "a cache")
	check("account group app", false, "missing")
	check("account user app", false, "missing")
	check("account user _sys", true, "system user")
	check("dependency /app/helper", false, "needs interpreter /usr/bin/tool")
	for _, k := range []string{"missing /app/sub/a", "config Env APP", "config Cmd"} {
		if _, ok := got[k]; ok {
			t.Errorf("unexpected difference %q", k)
		}
	}
	if n := len(c.Unexpected()); n != 6 {
		t.Errorf("%d unexpected differences, want 6:\n%s", n, list(c.Unexpected()))
	}
}

func list(ds []Difference) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "  %s %s\n", d.Kind, d)
	}
	return b.String()
}

// TestMissingELF resolves a dynamic executable of the host against images
// that have all, or not all, of its libraries.
func TestMissingELF(t *testing.T) {
	needed, interp, data := hostELF(t)
	// The image has the program and its libraries in a directory that
	// only ld.so.conf names.
	entries := []entry{dir("opt"), dir("opt/lib"), exe("app", string(data)), dir("etc"), file("etc/ld.so.conf", "include /etc/ld.so.conf.d/*.conf\n"),
		dir("etc/ld.so.conf.d"), file("etc/ld.so.conf.d/opt.conf", "/opt/lib\n")}
	interpLib, _ := os.ReadFile(interp)
	entries = append(entries, dir(filepath.Dir(interp)[1:]), exe(interp[1:], string(interpLib)))
	for _, n := range needed {
		entries = append(entries, file("opt/lib/"+n, "not an ELF file, found by name"))
	}
	img := read(t, saveArchive(t, v1.Config{}, entries))
	if m, ok := img.Missing("/app"); !ok || len(m) != 0 {
		t.Errorf("all there: Missing = %q, %v", m, ok)
	}
	img = read(t, saveArchive(t, v1.Config{}, entries[:len(entries)-1]))
	m, ok := img.Missing("/app")
	if !ok || !slices.Equal(m, []string{needed[len(needed)-1]}) {
		t.Errorf("one library gone: Missing = %q, %v; want [%s]", m, ok, needed[len(needed)-1])
	}
	// LD_LIBRARY_PATH finds them too.
	moved := append([]entry{}, entries[:3]...)
	moved = append(moved, entries[5:]...)
	img = read(t, saveArchive(t, v1.Config{Env: []string{"LD_LIBRARY_PATH=/opt/lib"}}, moved))
	if m, ok := img.Missing("/app"); !ok || len(m) != 0 {
		t.Errorf("LD_LIBRARY_PATH: Missing = %q, %v", m, ok)
	}
}

// TestComparePackageScripts explains the files that the step installing
// packages made, when packages are gone, and only those.
func TestComparePackageScripts(t *testing.T) {
	status := "Package: tool\nStatus: install ok installed\nVersion: 1.0\n\nPackage: extra\nStatus: install ok installed\nVersion: 1.0\n\n"
	old := saveArchiveHistory(t, v1.Config{}, []string{"debootstrap", "/bin/sh -c apt-get update && apt-get install -y tool", "/bin/sh -c ./post-install"},
		base(),
		[]entry{file("var/lib/dpkg/status", status), file("etc/inputrc", "made by extra's postinst"), dir("etc/systemd"), symlink("etc/systemd/x.socket", "/lib/x.socket")},
		[]entry{file("etc/app.conf", "made by the Dockerfile's step")},
	)
	nw := saveArchive(t, v1.Config{}, base(), []entry{file("var/lib/dpkg/status", status[:strings.Index(status, "Package: extra")])})
	c := Compare(Side{Image: read(t, old), BaseLayers: 1}, Side{Image: read(t, nw), BaseLayers: 1})
	got := map[string]Difference{}
	for _, d := range c.Differences {
		got[d.Subject] = d
	}
	for _, p := range []string{"/etc/inputrc", "/etc/systemd"} {
		if d := got[p]; !strings.Contains(d.Expected, "made by the step that installed packages, most likely by the scripts of one the rewritten image does not install (extra)") {
			t.Errorf("%s: %s", p, d)
		}
	}
	if d, ok := got["/etc/app.conf"]; !ok || d.Expected != "" {
		t.Errorf("/etc/app.conf: %s, %v; want an unexpected difference", d, ok)
	}
}

// FuzzRead reads arbitrary bytes as a saved image: images are untrusted
// input, and Read must fail cleanly, never panic or hang.
func FuzzRead(f *testing.F) {
	tmp := f.TempDir()
	good := saveArchive(f, v1.Config{Cmd: []string{"sh"}}, base(), []entry{dir("app"), exe("app/run", "#!/bin/sh\n"), whiteout("etc/tool.conf")})
	data, err := os.ReadFile(good)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(data)
	f.Add(data[:len(data)/2])
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(tmp, fmt.Sprintf("%x.tar", sha256.Sum256(data)))
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(p)
		img, err := Read(p, ReadOptions{})
		if err != nil {
			return
		}
		for q := range img.Files {
			img.Missing(q)
		}
		Compare(Side{Image: img, BaseLayers: 1}, Side{Image: img})
	})
}

// hostELF returns, for a dynamic executable of the host (/usr/bin/env), the
// libraries it needs, its program interpreter and its bytes, so that
// tests have real ELF headers; it skips the test where there is none.
func hostELF(t *testing.T) (needed []string, interp string, data []byte) {
	t.Helper()
	const prog = "/usr/bin/env"
	ef, err := elf.Open(prog)
	if err != nil {
		t.Skipf("no %s: %v", prog, err)
	}
	needed, _ = ef.ImportedLibraries()
	for _, p := range ef.Progs {
		if p.Type == elf.PT_INTERP {
			b := make([]byte, p.Filesz)
			p.ReadAt(b, 0)
			interp = strings.TrimRight(string(b), "\x00")
		}
	}
	ef.Close()
	if len(needed) == 0 || interp == "" {
		t.Skipf("%s is not dynamically linked", prog)
	}
	data, err = os.ReadFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	return needed, interp, data
}

// TestSystemAccountIDs: a system account the Dockerfile made gets another
// id when the rewritten image lacks a system account made before it (dbus
// came with a JDK's recommends); without such a gap, or for a regular
// account, a changed id stays a failure.
func TestSystemAccountIDs(t *testing.T) {
	oldPasswd := "root:x:0:0:root:/root:/bin/bash\nmessagebus:x:100:101::/nonexistent:/usr/sbin/nologin\nbanner:x:101:102::/nonexistent:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n"
	tests := []struct {
		name, newPasswd string
		expected        map[string]bool // subject -> explained
	}{
		{"gap below", "root:x:0:0:root:/root:/bin/bash\nbanner:x:100:101::/nonexistent:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n",
			map[string]bool{"user messagebus": false, "user banner": true}},
		{"no gap", "root:x:0:0:root:/root:/bin/bash\nmessagebus:x:100:101::/nonexistent:/usr/sbin/nologin\nbanner:x:102:102::/nonexistent:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n",
			map[string]bool{"user banner": false}},
		{"home changed", "root:x:0:0:root:/root:/bin/bash\nbanner:x:100:101::/srv/banner:/usr/sbin/nologin\napp:x:1000:1000::/home/app:/bin/sh\n",
			map[string]bool{"user messagebus": false, "user banner": false}},
		{"regular account", "root:x:0:0:root:/root:/bin/bash\nbanner:x:100:101::/nonexistent:/usr/sbin/nologin\napp:x:999:1000::/home/app:/bin/sh\n",
			map[string]bool{"user messagebus": false, "user banner": true, "user app": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := &Comparison{}
			c.compareAccounts("/etc/passwd", &File{text: []byte(oldPasswd)}, &File{text: []byte(tt.newPasswd)}, nil)
			got := map[string]bool{}
			for _, d := range c.Differences {
				got[d.Subject] = d.Expected != ""
			}
			if !maps.Equal(got, tt.expected) {
				t.Errorf("differences (subject: explained) = %v, want %v\n%s", got, tt.expected, list(c.Differences))
			}
		})
	}
}

// TestExpectedDir: a missing directory that holds only directories is
// explained by one of them that is expected to go (a cache mount's mount
// point); one with a file nothing explains, or with nothing explained, is
// not.
func TestExpectedDir(t *testing.T) {
	img := &Image{Files: map[string]*File{
		"/root/go":                   {Path: "/root/go", Type: tar.TypeDir},
		"/root/go/pkg":               {Path: "/root/go/pkg", Type: tar.TypeDir},
		"/root/go/pkg/mod":           {Path: "/root/go/pkg/mod", Type: tar.TypeDir},
		"/srv/data":                  {Path: "/srv/data", Type: tar.TypeDir},
		"/srv/data/empty":            {Path: "/srv/data/empty", Type: tar.TypeDir},
		"/srv/mixed":                 {Path: "/srv/mixed", Type: tar.TypeDir},
		"/srv/mixed/.npm":            {Path: "/srv/mixed/.npm", Type: tar.TypeDir},
		"/srv/mixed/state.db":        {Path: "/srv/mixed/state.db", Type: tar.TypeReg},
		"/etc/apt/apt.conf.d/keep-x": {Path: "/etc/apt/apt.conf.d/keep-x", Type: tar.TypeReg},
	}}
	tests := []struct {
		dir   string
		below []string
		want  string
	}{
		{"/root/go", []string{"/root/go/pkg", "/root/go/pkg/mod"}, "Go's module and build cache"},
		{"/srv/data", []string{"/srv/data/empty"}, ""},
		{"/srv/mixed", []string{"/srv/mixed/.npm", "/srv/mixed/state.db"}, ""},
	}
	for _, tt := range tests {
		got := expectedDir(img, tt.below, nil)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("expectedDir(%s) = %q, want %q", tt.dir, got, tt.want)
		}
	}
	if got := expectedMissing(img, "/usr/local/.crates2.json", nil); !strings.Contains(got, "cargo install") {
		t.Errorf("expectedMissing(/usr/local/.crates2.json) = %q", got)
	}
	if got := expectedMissing(img, "/etc/apt/apt.conf.d/keep-x", nil); !strings.Contains(got, "apt's settings") {
		t.Errorf("expectedMissing(/etc/apt/apt.conf.d/keep-x) = %q", got)
	}
}

// TestSamePath: a PATH that lost a directory the rewritten image does not
// have (the Go toolchain's) finds the same commands; one that lost or
// reordered a directory the image has does not.
func TestSamePath(t *testing.T) {
	img := &Image{Files: map[string]*File{}}
	for _, d := range []string{"/go/bin", "/usr/local/bin", "/usr/bin", "/bin", "/opt/tools"} {
		img.Files[d] = &File{Path: d, Type: tar.TypeDir}
	}
	tests := []struct {
		old, new, want string
	}{
		{"/go/bin:/usr/local/go/bin:/usr/local/bin:/usr/bin:/bin", "/go/bin:/usr/local/bin:/usr/bin:/bin", "/usr/local/go/bin"},
		{"/go/bin:/opt/tools:/usr/bin", "/go/bin:/usr/bin", ""},
		{"/go/bin:/usr/bin", "/usr/bin:/go/bin", ""},
		{"/go/bin:/usr/bin", "/go/bin:/usr/bin:/opt/tools", ""},
		{"/usr/bin", "/usr/bin", ""},
	}
	for _, tt := range tests {
		got := samePath(img, tt.old, tt.new)
		if tt.want == "" && got != "" || !strings.Contains(got, tt.want) {
			t.Errorf("samePath(%q, %q) = %q, want it to name %q", tt.old, tt.new, got, tt.want)
		}
	}
}
