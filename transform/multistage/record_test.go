package multistage

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockmend/dockmend/internal/source"
)

// TestGoldenShell checks that every RUN the goldens' rewrites contain is a
// shell program that mvdan/sh parses and, where a POSIX sh is installed,
// that sh -n accepts: the record step and the install step are generated
// text, and a syntax error there would only show in a real build.
func TestGoldenShell(t *testing.T) {
	sh, _ := exec.LookPath("sh")
	files, _ := filepath.Glob("testdata/*.txtar")
	more, _ := filepath.Glob("testdata/*/*.txtar")
	files = append(files, more...)
	checked := 0
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, sec := range ar.Files {
			if sec.Name != "Dockerfile.golden" {
				continue
			}
			data := []byte(strings.ReplaceAll(string(sec.Data), "<CR>", "\r"))
			f, err := source.Parse(file, data)
			if err != nil {
				t.Errorf("%s: %v", file, err)
				continue
			}
			for _, in := range f.Instructions {
				if !in.Is("RUN") || !strings.Contains(in.Logical, "dockmend") {
					continue
				}
				s, err := in.Script()
				if err != nil {
					t.Errorf("%s:%d: %v", file, in.StartLine, err)
					continue
				}
				checked++
				if sh == "" {
					continue
				}
				cmd := exec.Command(sh, "-n", "-c", s.Text)
				if out, err := cmd.CombinedOutput(); err != nil {
					t.Errorf("%s:%d: sh -n: %v\n%s", file, in.StartLine, err, out)
				}
			}
		}
	}
	if checked == 0 {
		t.Fatal("no generated RUN found in the goldens")
	}
}

// TestRecordStepOnHost runs the record step on this machine when it is a
// Debian-family system: with a copy of a dynamically linked program as the
// artifact, the list must name the C library's package, the static
// packages, and the package of a command the image runs; and the record
// step must not fail.
func TestRecordStepOnHost(t *testing.T) {
	for _, tool := range []string{"dpkg-query", "ldd", "find", "awk", "sh"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("no %s here", tool)
		}
	}
	ls, err := exec.LookPath("ls")
	if err != nil {
		t.Skip("no ls")
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "app")
	if err := os.MkdirAll(filepath.Join(app, "bin"), 0o755); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(ls)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(app, "bin", "prog"), data, 0o755); err != nil {
		t.Fatal(err)
	}
	// A symlink that leaves the artifacts, like a virtualenv's python3:
	// its first target's package counts, read without -minimal.
	wantPython := false
	if out, err := exec.Command("dpkg-query", "-S", "/usr/bin/python3").Output(); err == nil && strings.HasPrefix(string(out), "python3-minimal") {
		if err := os.Symlink("/usr/bin/python3", filepath.Join(app, "bin", "python3")); err != nil {
			t.Fatal(err)
		}
		wantPython = true
	}
	p := &plan{artifacts: []string{app}, static: []string{"example-static=1.0"}, commands: []string{"ls", "no-such-command-here"}, overlay: true}
	text := p.recordStep(style{eol: "\n", esc: `\`})
	text = text[strings.Index(text, "RUN ")+len("RUN "):]
	text = strings.ReplaceAll(text, " \\\n", " ")
	record := filepath.Join(dir, "record")
	text = strings.ReplaceAll(text, recordDir, record)
	out, err := exec.Command("sh", "-c", text).CombinedOutput()
	if err != nil {
		t.Fatalf("record step failed: %v\n%s", err, out)
	}
	list, err := os.ReadFile(filepath.Join(record, "meta", "packages"))
	if err != nil {
		t.Fatal(err)
	}
	pkgs := strings.Fields(string(list))
	for _, want := range []string{"libc6", "example-static=1.0", "coreutils"} {
		if !slices.Contains(pkgs, want) {
			t.Errorf("packages %q lack %q", pkgs, want)
		}
	}
	if wantPython && !slices.Contains(pkgs, "python3") {
		t.Errorf("packages %q lack python3, the owner of the symlink's first target", pkgs)
	}
	for _, p := range pkgs {
		if strings.Contains(p, ":") && !strings.Contains(p, "=") {
			t.Errorf("package %q keeps its architecture", p)
		}
	}
}
