package projectfiles

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestDemo runs the demo (scripts/demo.sh, which `make demo` runs after building) and checks
// what a newcomer reads: it succeeds, prints no tool noise (a make or shell error line), and
// when diff counts more fixes than check counts fixable findings, it says why, file by file,
// with numbers that add up.
func TestDemo(t *testing.T) {
	r := runCmd(t, 5*time.Minute, repoRoot(), gitEnv(), "bash", filepath.Join(repoRoot(), "scripts", "demo.sh"), dockmendBin)
	if r.code != 0 {
		t.Fatalf("scripts/demo.sh: %s", r)
	}
	out := r.stdout + r.stderr
	noise := regexp.MustCompile(`(?m)^(make(\[\d+\])?: .*|.*Error \d+ \(ignored\)|.*: command not found|.*: No such file or directory)$`)
	if m := noise.FindString(out); m != "" {
		t.Errorf("the demo prints %q:\n%s", m, out)
	}
	check := regexp.MustCompile(`(?m)^(\d+) findings, (\d+) fixable with`).FindStringSubmatch(out)
	diff := regexp.MustCompile(`(?m)^would fix (\d+) issues in 5 files`).FindStringSubmatch(out)
	if check == nil || diff == nil {
		t.Fatalf("the demo lacks check's or diff's summary:\n%s", out)
	}
	fixable, fixes := atoi(t, check[2]), atoi(t, diff[1])
	explained := 0
	for _, m := range regexp.MustCompile(`([\w-]+): (\d+) fixable findings, (\d+) fixes`).FindAllStringSubmatch(out, -1) {
		explained += atoi(t, m[3]) - atoi(t, m[2])
	}
	if fixes != fixable+explained {
		t.Errorf("diff would fix %d issues, check finds %d fixable, and the demo explains %d more:\n%s", fixes, fixable, explained, out)
	}
	if fixes != fixable && !strings.Contains(out, "a fix can uncover another finding") {
		t.Errorf("the demo does not say why the counts differ:\n%s", out)
	}
	unsafe := regexp.MustCompile(`(?m)^\d+ findings, \d+ fixable with .*, (\d+) more with --unsafe-fixes$`).FindStringSubmatch(out)
	if unsafe == nil {
		t.Fatalf("check's summary does not count the unsafe fixes:\n%s", out)
	}
	left := fmt.Sprintf("fixed %d issues in 5 files (0 files unchanged); %s findings remain (%[2]s fixable with --unsafe-fixes)", fixes, unsafe[1])
	if !strings.Contains(out, left) {
		t.Errorf("the demo's fix on a copy does not say %q:\n%s", left, out)
	}
	t.Logf("demo: check %d fixable, diff %d fixes, %d explained", fixable, fixes, explained)
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
