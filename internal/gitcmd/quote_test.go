package gitcmd

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestQuotePath compares QuotePath with git's own quoting of the same
// names, as git ls-files prints them.
func TestQuotePath(t *testing.T) {
	names := []string{
		"plain", "with space", "new\nline", "tab\there", "cr\rhere", `quo"te`, `back\slash`,
		"bell\a", "esc\x1b[0m", "del\x7f", "caf\u00e9", "\u65e5\u672c", "mixed \"\t\u00fc\\",
	}
	for _, tt := range []struct{ in, want string }{
		{"Dockerfile", "Dockerfile"},
		{"a b/Dockerfile", "a b/Dockerfile"},
		{"a\nb", `"a\nb"`},
		{"caf\u00e9", `"caf\303\251"`},
		{"\x01", `"\001"`},
	} {
		if got := QuotePath(tt.in); got != tt.want {
			t.Errorf("QuotePath(%q) = %s, want %s", tt.in, got, tt.want)
		}
	}
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	dir := t.TempDir()
	r := Repo{Dir: dir, Env: []string{"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1"}}
	ctx := context.Background()
	if _, err := r.Run(ctx, "init", "-q"); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := r.Run(ctx, "add", "-A"); err != nil {
		t.Fatal(err)
	}
	out, err := r.Run(ctx, "ls-files")
	if err != nil {
		t.Fatal(err)
	}
	gitSays := map[string]bool{}
	for _, line := range strings.Split(out, "\n") {
		gitSays[line] = true
	}
	for _, n := range names {
		if q := QuotePath(n); !gitSays[q] {
			t.Errorf("QuotePath(%q) = %s, which git does not print (git: %q)", n, q, out)
		}
	}
}
