package projectfiles

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"
)

// TestActionMetadata checks action.yml as GitHub reads it, where actionlint does not: the
// required keys, that every input and step output an expression names exists, that every input
// is used, that every run step names its shell (composite actions require it), that every
// action it uses is pinned to a commit, and that scripts/action.sh reads exactly the INPUT_*
// variables the action sets.
func TestActionMetadata(t *testing.T) {
	a, src := readAction(t)
	if a.Name == "" || a.Description == "" {
		t.Errorf("action.yml: name and description are required (name %q, description %q)", a.Name, a.Description)
	}
	if a.Runs.Using != "composite" {
		t.Errorf("action.yml: runs.using is %q, want composite", a.Runs.Using)
	}
	if len(a.Runs.Steps) == 0 {
		t.Fatal("action.yml: no runs.steps")
	}
	for name, in := range a.Inputs {
		if strings.TrimSpace(in.Description) == "" {
			t.Errorf("input %s has no description", name)
		}
		if in.Default == nil && !in.Required {
			t.Errorf("input %s is optional but has no default", name)
		}
	}

	stepIDs := map[string]bool{}
	for i, step := range a.Runs.Steps {
		if id, ok := step["id"].(string); ok {
			stepIDs[id] = true
		}
		_, isRun := step["run"]
		_, isUses := step["uses"]
		if isRun == isUses {
			t.Errorf("step %d: exactly one of run and uses, got %v", i+1, step)
		}
		if isRun {
			if sh, _ := step["shell"].(string); sh == "" {
				t.Errorf("step %d (%v): a run step of a composite action needs shell:", i+1, step["name"])
			}
		}
	}
	for name, out := range a.Outputs {
		m := regexp.MustCompile(`^\$\{\{\s*steps\.([\w-]+)\.outputs\.([\w-]+)\s*\}\}$`).FindStringSubmatch(out.Value)
		if m == nil {
			t.Errorf("output %s: value %q is not ${{ steps.ID.outputs.NAME }}", name, out.Value)
			continue
		}
		if !stepIDs[m[1]] {
			t.Errorf("output %s: no step has id %q", name, m[1])
		}
		if out.Description == "" {
			t.Errorf("output %s has no description", name)
		}
	}

	used := map[string]bool{}
	for _, m := range regexp.MustCompile(`\binputs\.([\w-]+)`).FindAllStringSubmatch(src, -1) {
		used[m[1]] = true
		if _, ok := a.Inputs[m[1]]; !ok {
			t.Errorf("action.yml names inputs.%s, which is not declared", m[1])
		}
	}
	for _, m := range regexp.MustCompile(`\bsteps\.([\w-]+)\.outputs\b`).FindAllStringSubmatch(src, -1) {
		if !stepIDs[m[1]] {
			t.Errorf("action.yml names steps.%s, which no step is", m[1])
		}
	}
	for name := range a.Inputs {
		if !used[name] {
			t.Errorf("input %s is declared but never used", name)
		}
	}
	for _, p := range checkPinnedUses(src) {
		t.Errorf("action.yml: %s", p)
	}

	// INPUT_* variables: each set from the input of the same name, and read by the script
	set := map[string]bool{}
	for _, m := range regexp.MustCompile(`(?m)^\s+(INPUT_[A-Z_]+):\s*\$\{\{\s*inputs\.([\w-]+)\s*\}\}\s*$`).FindAllStringSubmatch(src, -1) {
		if want := "INPUT_" + strings.ToUpper(strings.ReplaceAll(m[2], "-", "_")); m[1] != want {
			t.Errorf("action.yml sets %s from inputs.%s; name it %s", m[1], m[2], want)
		}
		set[m[1]] = true
	}
	script := string(readRepoFile(t, "scripts/action.sh"))
	read := map[string]bool{}
	for _, m := range regexp.MustCompile(`\b(INPUT_[A-Z_]+)\b`).FindAllStringSubmatch(script, -1) {
		read[m[1]] = true
	}
	if !equalKeys(set, read) {
		t.Errorf("action.yml sets %v, scripts/action.sh reads %v", sortedKeys(set), sortedKeys(read))
	}
}

func equalKeys(a, b map[string]bool) bool {
	return slices.Equal(sortedKeys(a), sortedKeys(b))
}

func sortedKeys(m map[string]bool) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// TestActionLint runs actionlint on the action: its steps as the steps of a workflow job
// (expressions, contexts, step outputs, the inputs of the actions it uses, and the shell
// scripts when shellcheck is on PATH), and a workflow that uses the action from the
// repository (`uses: ./`) with every input, which makes actionlint read action.yml and check
// the inputs against it. A misspelt input must be caught, so the check is live.
func TestActionLint(t *testing.T) {
	a, src := readAction(t)

	// 1. the steps as a workflow's: the inputs become workflow_call inputs of type string
	lines := strings.Split(src, "\n")
	start := slices.Index(lines, "  steps:")
	if start < 0 || !slices.Contains(lines[:start], "runs:") {
		t.Fatal(`action.yml: no "  steps:" line under runs:`)
	}
	var wf strings.Builder
	wf.WriteString("name: action steps\non:\n  workflow_call:\n    inputs:\n")
	for _, name := range sortedInputs(a) {
		def := ""
		if d := a.Inputs[name].Default; d != nil {
			def = *d
		}
		q, _ := json.Marshal(def)
		fmt.Fprintf(&wf, "      %s:\n        type: string\n        required: false\n        default: %s\n", name, q)
	}
	wf.WriteString("jobs:\n  action:\n    runs-on: ubuntu-latest\n    steps:\n")
	for _, l := range lines[start+1:] {
		if l != "" {
			l = "  " + l
		}
		wf.WriteString(l + "\n")
	}
	for _, e := range lint(t, "action-steps.yml", wf.String()) {
		t.Errorf("action.yml steps: %s\n(the steps as a workflow:\n%s)", e, wf.String())
	}

	// 2. the action used from the repository, every input given
	use := func(with map[string]string) string {
		var b strings.Builder
		b.WriteString("name: use\non: push\npermissions:\n  contents: read\n  security-events: write\njobs:\n  dockmend:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: ./\n        with:\n")
		keys := make([]string, 0, len(with))
		for k := range with {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			q, _ := json.Marshal(with[k])
			fmt.Fprintf(&b, "          %s: %s\n", k, q)
		}
		return b.String()
	}
	all := map[string]string{}
	for _, name := range sortedInputs(a) {
		all[name] = "x"
	}
	for _, e := range lint(t, "use-action.yml", use(all)) {
		t.Errorf("a workflow using the action with every input: %s", e)
	}
	errs := lint(t, "use-action.yml", use(map[string]string{"no-such-input": "x"}))
	if len(errs) == 0 || !strings.Contains(errs[0].Message, "no-such-input") {
		t.Errorf("actionlint did not catch an input the action does not have (got %v): it does not read action.yml", errs)
	}
}

func sortedInputs(a actionMeta) []string {
	var names []string
	for n := range a.Inputs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// actionEnv is the environment of a step of the action outside GitHub: GITHUB_OUTPUT and
// GITHUB_PATH files in dir, and the test's dockmend first on PATH.
func actionEnv(t *testing.T, dir string, extra ...string) []string {
	t.Helper()
	for _, f := range []string{"output", "path"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return append([]string{
		"GITHUB_OUTPUT=" + filepath.Join(dir, "output"),
		"GITHUB_PATH=" + filepath.Join(dir, "path"),
		"RUNNER_TEMP=" + filepath.Join(dir, "runner-temp"),
		"RUNNER_OS=Linux", "RUNNER_ARCH=X64",
		"PATH=" + filepath.Dir(dockmendBin) + string(os.PathListSeparator) + os.Getenv("PATH"),
	}, extra...)
}

func outputs(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(must(os.ReadFile(filepath.Join(dir, "output"))))), "\n") {
		if k, v, ok := strings.Cut(l, "="); ok {
			m[k] = v
		}
	}
	return m
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

// copyExamples copies testdata/examples (five unclean Dockerfiles and their lock file) into dir.
func copyExamples(t *testing.T, dir string) {
	t.Helper()
	src := filepath.Join(repoRoot(), "testdata", "examples")
	err := filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		dst := filepath.Join(dir, rel)
		if d.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestActionScriptCheckAndFix runs the action's run and finish steps (scripts/action.sh) on
// the bundled examples: check writes SARIF, lists the findings in the log, records exit code 1
// without failing the step, and finish fails; fix rewrites the files, records changed=true,
// and a second check passes. Bad inputs are errors that name the input.
func TestActionScriptCheckAndFix(t *testing.T) {
	script := filepath.Join(repoRoot(), "scripts", "action.sh")
	dir := t.TempDir()
	work := filepath.Join(dir, "work")
	copyExamples(t, work)
	git(t, work, "init", "-q", "-b", "main")
	git(t, work, "add", "-A")
	git(t, work, "commit", "-q", "-m", "examples")
	inputs := []string{"INPUT_PATHS=alpine-tool\npython-api\n", "INPUT_LOCKFILE=dockmend.lock", "INPUT_OFFLINE=true"}

	// check, with SARIF
	env := actionEnv(t, dir, append(inputs, "INPUT_COMMAND=check", "INPUT_UPLOAD_SARIF=true", "INPUT_SARIF_FILE=out.sarif")...)
	r := runCmd(t, time.Minute, work, env, "bash", script, "run")
	if r.code != 0 {
		t.Fatalf("run (check) failed the step: %s", r)
	}
	out := outputs(t, dir)
	if out["exit-code"] != "1" || out["sarif-file"] != "out.sarif" || out["changed"] != "false" {
		t.Errorf("check outputs = %v, want exit-code=1 sarif-file=out.sarif changed=false", out)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(must(os.ReadFile(filepath.Join(work, "out.sarif"))), &sarif); err != nil {
		t.Fatalf("out.sarif: %v", err)
	}
	if sarif.Version != "2.1.0" || len(sarif.Runs) != 1 || len(sarif.Runs[0].Results) != 4 {
		t.Errorf("out.sarif: version %q, %d runs, want 2.1.0 with the 4 findings of alpine-tool and python-api", sarif.Version, len(sarif.Runs))
	}
	for _, want := range []string{"alpine-tool/Dockerfile:1:6: pin warning: alpine:3.20 is not pinned", "python-api/Dockerfile:5:5: pip[DL3042] warning: ", "dockmend check exited 1"} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("the log lacks %q:\n%s", want, r.stdout)
		}
	}
	// Without code scanning, the findings are annotations; at the failure
	// threshold error, none of them fails the job.
	envAnn := actionEnv(t, dir, append(inputs, "INPUT_COMMAND=check", "INPUT_UPLOAD_SARIF=false", "INPUT_FAILURE_THRESHOLD=error")...)
	ra := runCmd(t, time.Minute, work, envAnn, "bash", script, "run")
	if out := outputs(t, dir); ra.code != 0 || out["exit-code"] != "0" || !strings.Contains(ra.stdout, "::warning file=alpine-tool/Dockerfile,line=1,col=6,") {
		t.Errorf("check with annotations at failure-threshold error: %s\noutputs %v; want exit-code=0 and ::warning annotations", ra, out)
	}
	if r := runCmd(t, time.Minute, work, append(env, "EXIT_CODE=1"), "bash", script, "finish"); r.code != 1 || !strings.Contains(r.stdout, "::error ") {
		t.Errorf("finish with exit code 1: %s; want exit 1 and an ::error command", r)
	}

	// fix leaves the change in the work tree
	env = actionEnv(t, dir, append(inputs, "INPUT_COMMAND=fix")...)
	r = runCmd(t, time.Minute, work, env, "bash", script, "run")
	if r.code != 0 {
		t.Fatalf("run (fix): %s", r)
	}
	if out := outputs(t, dir); out["exit-code"] != "0" || out["changed"] != "true" || out["sarif-file"] != "" {
		t.Errorf("fix outputs = %v, want exit-code=0 changed=true sarif-file=", out)
	}
	if b := string(must(os.ReadFile(filepath.Join(work, "alpine-tool", "Dockerfile")))); !strings.Contains(b, "alpine:3.20@sha256:") || !strings.Contains(b, "apk add --no-cache") {
		t.Errorf("fix did not rewrite alpine-tool/Dockerfile:\n%s", b)
	}
	if b := string(must(os.ReadFile(filepath.Join(work, "fedora-web", "Dockerfile")))); strings.Contains(b, "@sha256:") {
		t.Errorf("fix rewrote fedora-web/Dockerfile, which the paths input does not name:\n%s", b)
	}
	env = actionEnv(t, dir, append(inputs, "INPUT_COMMAND=check", "INPUT_UPLOAD_SARIF=false")...)
	r = runCmd(t, time.Minute, work, env, "bash", script, "run")
	if out := outputs(t, dir); r.code != 0 || out["exit-code"] != "0" || out["sarif-file"] != "" {
		t.Errorf("check after fix: %s\noutputs %v; want exit-code=0 and no SARIF", r, out)
	}
	if r := runCmd(t, time.Minute, work, append(env, "EXIT_CODE=0"), "bash", script, "finish"); r.code != 0 {
		t.Errorf("finish with exit code 0: %s", r)
	}

	// inputs that make no sense are errors naming the input
	for _, tc := range []struct{ env, want string }{
		{"INPUT_COMMAND=lint", `input command must be check or fix, not "lint"`},
		{"INPUT_UNSAFE_FIXES=yes", `input unsafe-fixes must be true or false, not "yes"`},
		{"INPUT_REFRESH=true", `input refresh is for fix, not check`},
	} {
		env := actionEnv(t, dir, append(inputs, tc.env)...)
		r := runCmd(t, time.Minute, work, env, "bash", script, "run")
		if r.code != 2 || !strings.Contains(r.stdout, tc.want) {
			t.Errorf("%s: %s\nwant exit 2 and %q", tc.env, r, tc.want)
		}
	}
}

// TestActionScriptInstallRelease installs a release the way the action does with
// version: vX.Y.Z, from a loopback server laid out like GitHub's release downloads: the binary
// for the runner is checked against SHA256SUMS and put on GITHUB_PATH; a binary that does not
// match is refused and not installed.
func TestActionScriptInstallRelease(t *testing.T) {
	script := filepath.Join(repoRoot(), "scripts", "action.sh")
	bin := []byte("#!/bin/sh\necho 'dockmend v1.2.3 (test release)'\n")
	sum := sha256.Sum256(bin)
	sums := hex.EncodeToString(sum[:]) + "  dockmend-linux-amd64\n" + strings.Repeat("0", 64) + "  dockmend-linux-arm64\n"
	served := map[string][]byte{
		"/good/v1.2.3/dockmend-linux-amd64": bin,
		"/good/v1.2.3/SHA256SUMS":           []byte(sums),
		"/bad/v1.2.3/dockmend-linux-amd64":  append(bin, "echo tampered\n"...),
		"/bad/v1.2.3/SHA256SUMS":            []byte(sums),
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, ok := served[r.URL.Path]
		if !ok {
			http.NotFound(w, r)
			return
		}
		w.Write(b)
	}))
	defer srv.Close()

	dir := t.TempDir()
	env := actionEnv(t, dir, "DOCKMEND_VERSION=v1.2.3", "DOCKMEND_RELEASES_URL="+srv.URL+"/good")
	r := runCmd(t, time.Minute, dir, env, "bash", script, "install")
	if r.code != 0 || !strings.Contains(r.stdout, "dockmend v1.2.3 (test release)") {
		t.Fatalf("install v1.2.3: %s", r)
	}
	onPath := strings.TrimSpace(string(must(os.ReadFile(filepath.Join(dir, "path")))))
	if got := must(os.ReadFile(filepath.Join(onPath, "dockmend"))); string(got) != string(bin) {
		t.Errorf("installed %q, want the release's binary", got)
	}

	dir = t.TempDir()
	env = actionEnv(t, dir, "DOCKMEND_VERSION=v1.2.3", "DOCKMEND_RELEASES_URL="+srv.URL+"/bad")
	r = runCmd(t, time.Minute, dir, env, "bash", script, "install")
	if r.code == 0 || !strings.Contains(r.stdout+r.stderr, "does not match the release's SHA256SUMS") {
		t.Errorf("install of a binary that does not match SHA256SUMS: %s; want a failure saying so", r)
	}
	if p := strings.TrimSpace(string(must(os.ReadFile(filepath.Join(dir, "path"))))); p != "" {
		t.Errorf("a refused binary was put on PATH (%s)", p)
	}
	if _, err := os.Stat(filepath.Join(dir, "runner-temp", "dockmend-bin", "dockmend")); err == nil {
		t.Error("a refused binary was installed")
	}

	env = actionEnv(t, t.TempDir(), "DOCKMEND_VERSION=latest")
	if r := runCmd(t, time.Minute, dir, env, "bash", script, "install"); r.code != 2 || !strings.Contains(r.stdout, "must be a release tag") {
		t.Errorf("version: latest: %s; want exit 2, a release tag is required", r)
	}
}

// TestActionScriptInstallSource installs dockmend the default way, by building the action's
// own checkout ($GITHUB_ACTION_PATH, here this repository) with Go.
func TestActionScriptInstallSource(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dockmend; skipped with -short")
	}
	dir := t.TempDir()
	env := actionEnv(t, dir, "GITHUB_ACTION_PATH="+repoRoot())
	r := runCmd(t, 10*time.Minute, dir, env, "bash", filepath.Join(repoRoot(), "scripts", "action.sh"), "install")
	if r.code != 0 || !strings.Contains(r.stdout, "dockmend ") {
		t.Fatalf("install from source: %s", r)
	}
	onPath := strings.TrimSpace(string(must(os.ReadFile(filepath.Join(dir, "path")))))
	if _, err := os.Stat(filepath.Join(onPath, "dockmend")); err != nil {
		t.Errorf("no dockmend in %s (GITHUB_PATH): %v", onPath, err)
	}
}
