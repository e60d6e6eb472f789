package diff

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

func TestQuotePath(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"Dockerfile", "Dockerfile"},
		{"a/my file", "a/my file"},
		{"a/new\nline", `"a/new\nline"`},
		{"a/tab\tname", `"a/tab\tname"`},
		{`a/quo"te`, `"a/quo\"te"`},
		{`a/back\slash`, `"a/back\\slash"`},
		{"a/caf\u00e9", `"a/caf\303\251"`},
		{"a/lat\xe9", `"a/lat\351"`},
		{"a/\x01\x7f\r", `"a/\001\177\r"`},
	} {
		if got := QuotePath(tt.in); got != tt.want {
			t.Errorf("QuotePath(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

// awkwardNames are file names that a patch header must quote or end with
// a tab for git apply and patch to find the file.
var awkwardNames = []string{
	"my file",
	"dir x/Docker file",
	"new\nline",
	"tab\tname",
	`quo"te`,
	`back\slash`,
	"caf\u00e9",
	"lat\xe9",
	" lead",
	"trail ",
	`sp "q`,
	"plain/Dockerfile",
}

// TestUnifiedAppliesAwkwardPaths writes files with awkward names, makes
// one patch of their diffs, as "dockmend diff" prints it, and applies it
// with GNU patch -p1 and with git apply.
func TestUnifiedAppliesAwkwardPaths(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("these names are not valid on Windows")
	}
	const old, new = "FROM debian:12\nRUN apt-get install curl\n", "FROM debian:12\nRUN apt-get install -y curl\n"
	var patch strings.Builder
	for _, name := range awkwardNames {
		patch.Write(Unified("a/"+name, "b/"+name, []byte(old), []byte(new), DefaultContext))
	}
	for _, tool := range []struct {
		name string
		args []string
	}{
		{"patch", []string{"patch", "-p1", "--batch", "--silent", "--no-backup-if-mismatch", "-i"}},
		{"git", []string{"git", "apply", "-v"}},
	} {
		t.Run(tool.name, func(t *testing.T) {
			if _, err := exec.LookPath(tool.args[0]); err != nil {
				t.Skipf("%s not available", tool.args[0])
			}
			dir := t.TempDir()
			work := filepath.Join(dir, "work")
			for _, name := range awkwardNames {
				path := filepath.Join(work, name)
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				writeFile(t, path, old)
			}
			patchFile := filepath.Join(dir, "change.patch")
			writeFile(t, patchFile, patch.String())
			cmd := exec.Command(tool.args[0], append(tool.args[1:], patchFile)...)
			cmd.Dir = work
			cmd.Env = append(os.Environ(), "HOME="+dir, "XDG_CONFIG_HOME="+dir, "GIT_CONFIG_NOSYSTEM=1", "GIT_CEILING_DIRECTORIES="+dir)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%s: %v\n%s\npatch:\n%s", strings.Join(tool.args, " "), err, out, patch.String())
			}
			for _, name := range awkwardNames {
				if got := readFile(t, filepath.Join(work, name)); got != new {
					t.Errorf("%q: not patched: %q", name, got)
				}
			}
			// Nothing else was created (a file under a misread name).
			var n int
			filepath.WalkDir(work, func(_ string, d os.DirEntry, _ error) error {
				if !d.IsDir() {
					n++
				}
				return nil
			})
			if n != len(awkwardNames) {
				t.Errorf("%d files after patching, want %d", n, len(awkwardNames))
			}
		})
	}
}

func TestPatchPath(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	for in, want := range map[string]string{
		"app/Dockerfile":                   "app/Dockerfile",
		wd + "/app/Dockerfile":             "app/Dockerfile",
		"/elsewhere/Dockerfile":            "elsewhere/Dockerfile",
		"../sibling/Dockerfile":            "../sibling/Dockerfile",
		"fleet/repo/services/x.Dockerfile": "fleet/repo/services/x.Dockerfile",
	} {
		if got := PatchPath(in); got != want {
			t.Errorf("PatchPath(%q) = %q, want %q", in, got, want)
		}
	}
}
