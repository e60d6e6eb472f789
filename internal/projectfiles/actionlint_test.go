package projectfiles

import (
	"fmt"
	"io"
	"os/exec"
	"regexp"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"go.yaml.in/yaml/v3"
)

// pinnedUses matches a `uses:` line whose action is pinned to a full commit, with the tag it
// stands for in a comment: `uses: owner/repo[/path]@<40 hex> # v1.2.3`.
var pinnedUses = regexp.MustCompile(`^(\s*(?:-\s+)?uses:\s*)([\w.-]+/[\w.-]+(?:/[\w./-]+)?)@([0-9a-f]{40})\s+#\s+(v\d+)(\.\d+)*(\s.*)?$`)

// usesLine matches any `uses:` line.
var usesLine = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*(\S+)`)

// ownAction matches a `uses:` of dockmend's own action pinned to a commit, with a comment:
// before the first release there is no tag to name, so any comment goes (the docs test checks
// that the commit has action.yml).
var ownAction = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*dockmend/dockmend@[0-9a-f]{40}\s+#\s+\S`)

// checkPinnedUses returns a problem for each `uses:` in a workflow or action that is not a
// local action and not pinned as pinnedUses (or, for dockmend's own action, ownAction) says.
func checkPinnedUses(src string) []string {
	var problems []string
	for i, line := range strings.Split(src, "\n") {
		m := usesLine.FindStringSubmatch(line)
		if m == nil || strings.HasPrefix(m[1], "./") || ownAction.MatchString(line) {
			continue
		}
		if !pinnedUses.MatchString(line) {
			problems = append(problems, fmt.Sprintf("line %d: %q is not pinned to a full commit with its tag in a comment (uses: owner/repo@<40 hex> # vX.Y.Z)", i+1, strings.TrimSpace(line)))
		}
	}
	return problems
}

// forLint rewrites pinned actions to the major tag in their comment (`@<sha> # v6.0.0` becomes
// `@v6`), line for line, so that actionlint, which knows the inputs and outputs of popular
// actions by tag but cannot look commits up, checks the `with:` of every step too.
func forLint(src string) string {
	lines := strings.Split(src, "\n")
	for i, line := range lines {
		if m := pinnedUses.FindStringSubmatch(line); m != nil {
			lines[i] = m[1] + m[2] + "@" + m[4] + m[6]
		}
	}
	return strings.Join(lines, "\n")
}

// lint runs actionlint on a workflow, as if it were the file name in the repository; local
// actions (`uses: ./`) are read from the repository. shellcheck checks the run: scripts when
// it is on PATH.
func lint(t *testing.T, name string, src string) []*actionlint.Error {
	t.Helper()
	opts := &actionlint.LinterOptions{Color: actionlint.ColorOptionKindNever}
	if p, err := exec.LookPath("shellcheck"); err == nil {
		opts.Shellcheck = p
	}
	l, err := actionlint.NewLinter(io.Discard, opts)
	if err != nil {
		t.Fatal(err)
	}
	proj, err := actionlint.NewProject(repoRoot())
	if err != nil {
		t.Fatal(err)
	}
	errs, err := l.Lint(name, []byte(forLint(src)), proj)
	if err != nil {
		t.Fatalf("actionlint %s: %v", name, err)
	}
	return errs
}

// actionMeta is the part of action.yml that the tests read.
type actionMeta struct {
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	Author      string `yaml:"author"`
	Inputs      map[string]struct {
		Description string  `yaml:"description"`
		Required    bool    `yaml:"required"`
		Default     *string `yaml:"default"`
	} `yaml:"inputs"`
	Outputs map[string]struct {
		Description string `yaml:"description"`
		Value       string `yaml:"value"`
	} `yaml:"outputs"`
	Runs struct {
		Using string           `yaml:"using"`
		Steps []map[string]any `yaml:"steps"`
	} `yaml:"runs"`
	Branding map[string]string `yaml:"branding"`
}

func readAction(t *testing.T) (actionMeta, string) {
	t.Helper()
	src := string(readRepoFile(t, "action.yml"))
	var a actionMeta
	dec := yaml.NewDecoder(strings.NewReader(src))
	dec.KnownFields(true) // a misspelt key is a key GitHub ignores
	if err := dec.Decode(&a); err != nil {
		t.Fatalf("action.yml: %v", err)
	}
	return a, src
}
