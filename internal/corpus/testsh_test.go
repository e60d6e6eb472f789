package corpus

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// TestTestScriptSkipsCacheForCorpus checks that scripts/test.sh (make
// test) runs the packages that read the shared corpus with -count=1: the
// corpus lives outside the module, and the test cache would otherwise
// serve results from before it appeared ("corpus not found"). It reads
// the commands the script prints on a dry run.
func TestTestScriptSkipsCacheForCorpus(t *testing.T) {
	const script = "../../scripts/test.sh"
	src, err := os.ReadFile(script)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "TEST_SH_DRY_RUN") {
		t.Fatal("scripts/test.sh has no dry run (TEST_SH_DRY_RUN) to show its go test commands")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	cmd := exec.Command("bash", script, "-short")
	cmd.Env = append(os.Environ(), "TEST_SH_DRY_RUN=1")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	uncached := map[string]bool{} // package -> run with -count=1
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[0] != "go" || f[1] != "test" || !slices.Contains(f, "-short") {
			t.Fatalf("unexpected command %q", line)
		}
		for _, a := range f[2:] {
			if strings.HasPrefix(a, "./") {
				if _, dup := uncached[a]; dup {
					t.Errorf("%s is tested twice", a)
				}
				uncached[a] = slices.Contains(f, "-count=1")
			}
		}
	}
	for _, pkg := range []string{"./internal/corpus", "./internal/source", "./internal/shellcmd", "./transform/multistage", "./transform/pin"} {
		if !uncached[pkg] {
			t.Errorf("%s reads the corpus but is not run with -count=1 (commands:\n%s)", pkg, out)
		}
	}
	for _, pkg := range []string{"./internal/diff", "./internal/engine", "./cmd/dockmend"} {
		if u, ok := uncached[pkg]; !ok || u {
			t.Errorf("%s: run = %v, uncached = %v; want it run, from the cache when it can", pkg, ok, u)
		}
	}
}

// TestCIRunsRaceTests checks that .ci/run runs the short tests under the
// race detector (make test-race, go test -race -short) after make test
// and before the end-to-end builds.
func TestCIRunsRaceTests(t *testing.T) {
	src, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	for _, line := range strings.Split(string(src), "\n") {
		switch f := strings.Fields(line); {
		case len(f) >= 2 && f[0] == "make":
			steps = append(steps, f[1])
		}
	}
	test, race, e2e := slices.Index(steps, "test"), slices.Index(steps, "test-race"), slices.Index(steps, "e2e-ci")
	if test < 0 || race < 0 || race < test || (e2e >= 0 && e2e < race) {
		t.Errorf(".ci/run runs make %q; want test, then test-race, then e2e-ci", steps)
	}
	mk, err := os.ReadFile("../../Makefile")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(mk), "test-race:\n\tCGO_ENABLED=1 $(GO) test -race -short ./...") {
		t.Error("the Makefile's test-race target does not run go test -race -short ./... with cgo")
	}
}
