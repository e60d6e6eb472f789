package projectfiles

import (
	"crypto/sha256"
	"debug/buildinfo"
	"debug/elf"
	"debug/macho"
	"debug/pe"
	"encoding/hex"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// allPlatforms are the platforms of a release (scripts/dist.sh's default).
var allPlatforms = []string{"linux/amd64", "linux/arm64", "darwin/amd64", "darwin/arm64", "windows/amd64", "windows/arm64"}

// TestDist runs `make dist`'s script on a tagged commit (a snapshot of the work tree, with an
// uncommitted change on top that must not be released; the tag is v0.x: the module path has
// no /vN suffix, so go ignores tags of a higher major version) and checks the result: one binary per
// platform, of that platform's format and architecture, each stamped with the tag, the commit
// and -trimpath, static; SHA256SUMS lists exactly them; and the binary for this machine prints
// the version. Under CI every platform is built; elsewhere this machine's and windows/arm64
// (set DIST_ALL=1 for all six), since each platform is a full build.
func TestDist(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-builds dockmend; skipped with -short")
	}
	platforms := []string{runtime.GOOS + "/" + runtime.GOARCH, "windows/arm64"}
	if os.Getenv("CI") != "" || os.Getenv("DIST_ALL") == "1" {
		platforms = allPlatforms
	}
	dir, commit := snapshot(t)
	git(t, dir, "tag", "-a", "v0.9.8", "-m", "test release")
	// an uncommitted change: the release is the commit, not the work tree
	main := filepath.Join(dir, "cmd", "dockmend", "main.go")
	if err := os.WriteFile(main, append(must(os.ReadFile(main)), "\n// uncommitted\n"...), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "dist")
	r := runCmd(t, 60*time.Minute, dir, append(gitEnv(), "DIST_DIR="+out, "DIST_PLATFORMS="+strings.Join(platforms, " ")),
		"bash", filepath.Join(dir, "scripts", "dist.sh"))
	if r.code != 0 {
		t.Fatalf("scripts/dist.sh: %s", r)
	}
	if !strings.Contains(r.stderr, "uncommitted changes; they are not in the release") {
		t.Errorf("dist did not warn about the uncommitted change: %s", r)
	}
	if !strings.Contains(r.stdout, "dist: dockmend v0.9.8 ("+commit+")") {
		t.Errorf("dist did not name the version and commit: %s", r)
	}

	var want []string
	for _, p := range platforms {
		goos, goarch, _ := strings.Cut(p, "/")
		name := "dockmend-" + goos + "-" + goarch
		if goos == "windows" {
			name += ".exe"
		}
		want = append(want, name)
		path := filepath.Join(out, name)
		checkBinary(t, path, goos, goarch)
		bi, err := buildinfo.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if bi.Main.Version != "v0.9.8" || settings["vcs.revision"] != commit || settings["vcs.modified"] != "false" ||
			settings["-trimpath"] != "true" || settings["CGO_ENABLED"] != "0" || settings["GOOS"] != goos || settings["GOARCH"] != goarch {
			t.Errorf("%s: version %q, settings %v; want v0.9.8, vcs.revision %s, not modified, -trimpath, CGO_ENABLED=0, %s", name, bi.Main.Version, settings, commit, p)
		}
	}

	sums := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(must(os.ReadFile(filepath.Join(out, "SHA256SUMS"))))), "\n") {
		sum, name, ok := strings.Cut(line, "  ")
		if !ok {
			t.Fatalf("SHA256SUMS: bad line %q", line)
		}
		sums[name] = sum
	}
	var names []string
	for n := range sums {
		names = append(names, n)
	}
	slices.Sort(names)
	slices.Sort(want)
	if !slices.Equal(names, want) {
		t.Errorf("SHA256SUMS lists %v, want %v", names, want)
	}
	entries := must(os.ReadDir(out))
	if len(entries) != len(want)+1 {
		t.Errorf("dist holds %d files, want the %d binaries and SHA256SUMS", len(entries), len(want))
	}
	for _, n := range want {
		h := sha256.Sum256(must(os.ReadFile(filepath.Join(out, n))))
		if sums[n] != hex.EncodeToString(h[:]) {
			t.Errorf("SHA256SUMS: %s has %s, the file %x", n, sums[n], h)
		}
	}

	// the README's check of a download
	if r := runCmd(t, time.Minute, out, nil, "sha256sum", "--ignore-missing", "-c", "SHA256SUMS"); r.code != 0 {
		t.Errorf("sha256sum --ignore-missing -c SHA256SUMS: %s", r)
	}

	host := filepath.Join(out, "dockmend-"+runtime.GOOS+"-"+runtime.GOARCH)
	v := runCmd(t, time.Minute, dir, nil, host, "version")
	if wantV := "dockmend v0.9.8 (" + commit[:12] + ", "; v.code != 0 || !strings.HasPrefix(v.stdout, wantV) {
		t.Errorf("%s version: %s; want it to start with %q", filepath.Base(host), v, wantV)
	}
	t.Logf("dist: %s; %s", strings.Join(want, ", "), strings.TrimSpace(v.stdout))
}

// checkBinary checks that path is an executable of the platform goos/goarch.
func checkBinary(t *testing.T, path, goos, goarch string) {
	t.Helper()
	switch goos {
	case "linux":
		f, err := elf.Open(path)
		if err != nil {
			t.Errorf("%s: not ELF: %v", path, err)
			return
		}
		defer f.Close()
		want := map[string]elf.Machine{"amd64": elf.EM_X86_64, "arm64": elf.EM_AARCH64}[goarch]
		if f.Machine != want || f.Type != elf.ET_EXEC {
			t.Errorf("%s: ELF %v %v, want %v executable", path, f.Machine, f.Type, want)
		}
		for _, p := range f.Progs {
			if p.Type == elf.PT_INTERP {
				t.Errorf("%s: dynamically linked (has an interpreter)", path)
			}
		}
	case "darwin":
		f, err := macho.Open(path)
		if err != nil {
			t.Errorf("%s: not Mach-O: %v", path, err)
			return
		}
		defer f.Close()
		want := map[string]macho.Cpu{"amd64": macho.CpuAmd64, "arm64": macho.CpuArm64}[goarch]
		if f.Cpu != want || f.Type != macho.TypeExec {
			t.Errorf("%s: Mach-O %v %v, want %v executable", path, f.Cpu, f.Type, want)
		}
	case "windows":
		f, err := pe.Open(path)
		if err != nil {
			t.Errorf("%s: not PE: %v", path, err)
			return
		}
		defer f.Close()
		want := map[string]uint16{"amd64": pe.IMAGE_FILE_MACHINE_AMD64, "arm64": pe.IMAGE_FILE_MACHINE_ARM64}[goarch]
		if f.Machine != want {
			t.Errorf("%s: PE machine %#x, want %#x", path, f.Machine, want)
		}
	default:
		t.Errorf("%s: unknown OS %s", path, goos)
	}
}
