package migrate

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/gitcmd"
)

// git runs git in dir for a test, with a fixed identity and no user or
// system configuration.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	out, err := (gitcmd.Repo{Dir: dir, Env: testEnv}).Run(context.Background(), args...)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

var testEnv = []string{
	"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
	"GIT_AUTHOR_NAME=Dev", "GIT_AUTHOR_EMAIL=dev@example.com",
	"GIT_COMMITTER_NAME=Dev", "GIT_COMMITTER_EMAIL=dev@example.com",
}

func TestMain(m *testing.M) {
	if _, err := exec.LookPath("git"); err != nil {
		fmt.Println("skipping: no git")
		os.Exit(0)
	}
	for _, kv := range testEnv {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	os.Exit(m.Run())
}

// newRepo makes a repository with files committed on main.
func newRepo(t *testing.T, dir string, files map[string]string) string {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	git(t, dir, "init", "-q", "-b", "main")
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, dir, "add", "-A")
	git(t, dir, "commit", "-q", "-m", "init")
	return dir
}

// upper is a FixFunc that upper-cases every file named Dockerfile and
// fails on one that contains "BAD".
func upper(_ context.Context, req FixRequest) (*FixResult, error) {
	res := &FixResult{}
	err := filepath.WalkDir(req.Dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "Dockerfile" {
			return err
		}
		res.Found++
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(req.Dir, path)
		if bytes.Contains(data, []byte("BAD")) {
			res.Errors = append(res.Errors, filepath.Join(req.Name, rel)+":1: cannot fix")
			return nil
		}
		out := bytes.ToUpper(data)
		if bytes.Equal(out, data) {
			return nil
		}
		res.Files = append(res.Files, FixedFile{Path: filepath.ToSlash(rel), Fixes: map[string]int{"upper": 1}, Before: data, After: out})
		if req.Write {
			return os.WriteFile(path, out, 0o644)
		}
		return nil
	})
	return res, err
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	changed := newRepo(t, filepath.Join(root, "changed"), map[string]string{"Dockerfile": "from debian\n", "svc/Dockerfile": "run x\n", "README": "hi\n"})
	// A dirty work tree and another branch checked out: both untouched.
	git(t, changed, "switch", "-q", "-c", "feature")
	os.WriteFile(filepath.Join(changed, "Dockerfile"), []byte("from local-edit\n"), 0o644)
	os.WriteFile(filepath.Join(changed, "untracked.txt"), []byte("u\n"), 0o644)
	statusBefore := git(t, changed, "status", "--porcelain")

	unchanged := newRepo(t, filepath.Join(root, "unchanged"), map[string]string{"Dockerfile": "FROM DEBIAN\n"})
	none := newRepo(t, filepath.Join(root, "none"), map[string]string{"main.go": "package main\n"})
	bad := newRepo(t, filepath.Join(root, "bad"), map[string]string{"Dockerfile": "BAD\n", "ok/Dockerfile": "fine\n"})
	allBad := newRepo(t, filepath.Join(root, "allbad"), map[string]string{"Dockerfile": "BAD\n"})
	exists := newRepo(t, filepath.Join(root, "exists"), map[string]string{"Dockerfile": "from x\n"})
	git(t, exists, "branch", "dockmend/upper")
	notRepo := filepath.Join(root, "plain")
	os.MkdirAll(notRepo, 0o755)

	targets := []Target{{Path: changed}, {Path: unchanged}, {Path: none}, {Path: bad}, {Path: exists}, {Path: notRepo}, {Path: allBad}}
	var emitted []string
	repos, err := Run(ctx, targets, Options{
		Branch: "dockmend/upper", Jobs: 3, Fix: upper, Version: "dockmend test",
		Emit: func(r *Repository, _ *FixResult) error {
			emitted = append(emitted, filepath.Base(r.Path))
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Status{"changed": Changed, "unchanged": Unchanged, "none": Skipped, "bad": Changed, "exists": Skipped, "plain": Failed, "allbad": Failed}
	for i, r := range repos {
		name := filepath.Base(r.Path)
		if r.Status != want[name] {
			t.Errorf("%s: status %s (%s), want %s", name, r.Status, r.Reason, want[name])
		}
		if emitted[i] != filepath.Base(targets[i].Path) {
			t.Errorf("emitted %v, not in the order of the targets", emitted)
		}
	}

	// The branch holds one commit on the base with both files fixed.
	if got := git(t, changed, "show", "dockmend/upper:Dockerfile"); got != "FROM DEBIAN" {
		t.Errorf("branch Dockerfile = %q", got)
	}
	if got := git(t, changed, "rev-parse", "dockmend/upper~1"); got != git(t, changed, "rev-parse", "main") {
		t.Error("the branch does not start from the base")
	}
	msg := git(t, changed, "log", "-1", "--format=%B", "dockmend/upper")
	for _, w := range []string{"dockmend: fix 2 issues in 2 Dockerfiles (upper)", "  Dockerfile: upper 1", "  svc/Dockerfile: upper 1", "Generated by dockmend test."} {
		if !strings.Contains(msg, w) {
			t.Errorf("commit message lacks %q:\n%s", w, msg)
		}
	}
	if repos[0].Commit != git(t, changed, "rev-parse", "dockmend/upper") || repos[0].Branch != "dockmend/upper" {
		t.Errorf("report: commit %s branch %s", repos[0].Commit, repos[0].Branch)
	}
	// The user's checkout is as it was.
	if got := git(t, changed, "status", "--porcelain"); got != statusBefore {
		t.Errorf("status changed:\n%s\nwas:\n%s", got, statusBefore)
	}
	if got := git(t, changed, "branch", "--show-current"); got != "feature" {
		t.Errorf("current branch is %q", got)
	}
	if data, _ := os.ReadFile(filepath.Join(changed, "Dockerfile")); string(data) != "from local-edit\n" {
		t.Errorf("work tree file = %q", data)
	}
	// Nothing left behind: no worktrees, no branch for the failed one.
	for _, dir := range []string{changed, unchanged, none, bad, exists, allBad} {
		if got := git(t, dir, "worktree", "list", "--porcelain"); strings.Count(got, "worktree ") != 1 {
			t.Errorf("%s: worktrees left:\n%s", dir, got)
		}
	}
	if got := git(t, allBad, "branch", "--list", "dockmend/*"); got != "" {
		t.Errorf("the failed repository has a branch: %s", got)
	}
	if r := repos[6]; len(r.Errors) != 1 || r.Reason != "1 problem; nothing to commit" {
		t.Errorf("allbad: reason %q, errors %v", r.Reason, r.Errors)
	}
	// A file that cannot be fixed is its own problem: the other is
	// committed, the problem reported.
	if len(repos[3].Errors) != 1 || !strings.HasSuffix(repos[3].Errors[0], "bad/Dockerfile:1: cannot fix") {
		t.Errorf("errors of bad: %v", repos[3].Errors)
	}
	if got := git(t, bad, "show", "--format=", "--name-only", "dockmend/upper"); got != "ok/Dockerfile" {
		t.Errorf("bad's commit has %q, want ok/Dockerfile", got)
	}
}

func TestReplaceAndPushRollback(t *testing.T) {
	ctx := context.Background()
	root := t.TempDir()
	repo := newRepo(t, filepath.Join(root, "r"), map[string]string{"Dockerfile": "from x\n"})
	git(t, repo, "branch", "dockmend/upper")
	old := git(t, repo, "rev-parse", "dockmend/upper")

	// A push that fails puts the branch back where it was.
	git(t, repo, "remote", "add", "origin", filepath.Join(root, "missing.git"))
	repos, err := Run(ctx, []Target{{Path: repo}}, Options{Branch: "dockmend/upper", Replace: true, Remote: "origin", Fix: upper})
	if err != nil {
		t.Fatal(err)
	}
	if repos[0].Status != Failed || !strings.Contains(repos[0].Reason, "git push") {
		t.Errorf("status %s: %s", repos[0].Status, repos[0].Reason)
	}
	if got := git(t, repo, "rev-parse", "dockmend/upper"); got != old {
		t.Error("a failed push left the branch moved")
	}

	// A new branch whose push fails is deleted.
	repos, _ = Run(ctx, []Target{{Path: repo}}, Options{Branch: "dockmend/new", Remote: "origin", Fix: upper})
	if repos[0].Status != Failed || git(t, repo, "branch", "--list", "dockmend/new") != "" {
		t.Errorf("status %s, branches %q", repos[0].Status, git(t, repo, "branch", "--list"))
	}

	// With a real remote, replace moves the branch and pushes it.
	bare := filepath.Join(root, "remote.git")
	git(t, root, "init", "-q", "--bare", bare)
	git(t, repo, "remote", "set-url", "origin", bare)
	repos, _ = Run(ctx, []Target{{Path: repo}}, Options{Branch: "dockmend/upper", Replace: true, Remote: "origin", Fix: upper})
	if repos[0].Status != Changed || !repos[0].Pushed {
		t.Fatalf("status %s (%s), pushed %v", repos[0].Status, repos[0].Reason, repos[0].Pushed)
	}
	if got := git(t, bare, "rev-parse", "dockmend/upper"); got != repos[0].Commit {
		t.Errorf("remote branch at %s, want %s", got, repos[0].Commit)
	}

	// The branch checked out in the user's work tree is never replaced.
	git(t, repo, "switch", "-q", "dockmend/upper")
	repos, _ = Run(ctx, []Target{{Path: repo}}, Options{Branch: "dockmend/upper", Replace: true, Fix: upper})
	if repos[0].Status != Failed || !strings.Contains(repos[0].Reason, "checked out") {
		t.Errorf("status %s: %s", repos[0].Status, repos[0].Reason)
	}
}

func TestDryRunCreatesNothing(t *testing.T) {
	repo := newRepo(t, filepath.Join(t.TempDir(), "r"), map[string]string{"Dockerfile": "from x\n"})
	var fix *FixResult
	repos, err := Run(context.Background(), []Target{{Path: repo}}, Options{Branch: "dockmend/upper", DryRun: true, Fix: upper,
		Emit: func(_ *Repository, f *FixResult) error { fix = f; return nil }})
	if err != nil {
		t.Fatal(err)
	}
	if repos[0].Status != Changed || repos[0].Commit != "" {
		t.Errorf("status %s commit %q", repos[0].Status, repos[0].Commit)
	}
	if fix == nil || len(fix.Files) != 1 || string(fix.Files[0].After) != "FROM X\n" {
		t.Errorf("fix result %+v", fix)
	}
	if got := git(t, repo, "branch", "--list"); got != "* main" {
		t.Errorf("branches: %q", got)
	}
}

func TestEmitErrorStops(t *testing.T) {
	root := t.TempDir()
	var targets []Target
	for i := range 4 {
		targets = append(targets, Target{Path: newRepo(t, filepath.Join(root, fmt.Sprint(i)), map[string]string{"Dockerfile": "x\n"})})
	}
	stop := errors.New("stop")
	repos, err := Run(context.Background(), targets, Options{Branch: "b", Jobs: 1, DryRun: true, Fix: upper,
		Emit: func(*Repository, *FixResult) error { return stop }})
	if !errors.Is(err, stop) || len(repos) != 1 {
		t.Errorf("err %v after %d repositories", err, len(repos))
	}
}

// TestSameRepositoryTwice: a repository reached by two paths (a symbolic
// link, a second worktree) is migrated once; the other path finds the
// branch and is skipped, whatever the timing.
func TestSameRepositoryTwice(t *testing.T) {
	root := t.TempDir()
	repo := newRepo(t, filepath.Join(root, "r"), map[string]string{"Dockerfile": "from x\n"})
	if err := os.Symlink(repo, filepath.Join(root, "link")); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "worktree", "add", "-q", filepath.Join(root, "second"), "-b", "other")
	targets := []Target{{Path: repo}, {Path: filepath.Join(root, "link")}, {Path: filepath.Join(root, "second")}}
	for range 5 {
		repos, err := Run(context.Background(), targets, Options{Branch: "dockmend/upper", Jobs: 3, Fix: upper})
		if err != nil {
			t.Fatal(err)
		}
		counts := map[Status]int{}
		for _, r := range repos {
			counts[r.Status]++
		}
		if counts[Changed] != 1 || counts[Skipped] != 2 {
			for _, r := range repos {
				t.Logf("%s: %s %s", r.Path, r.Status, r.Reason)
			}
			t.Fatalf("counts %v, want 1 changed and 2 skipped", counts)
		}
		git(t, repo, "branch", "-D", "-q", "dockmend/upper")
	}
}

// TestInheritedGitEnvironment: run from a git hook, migrate inherits
// GIT_DIR, GIT_WORK_TREE, GIT_INDEX_FILE and the like, which point at the
// repository whose hook runs. They must not steer any git command:
// the repository named is migrated, and the other one is untouched.
func TestInheritedGitEnvironment(t *testing.T) {
	all := []string{"GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_COMMON_DIR", "GIT_OBJECT_DIRECTORY",
		"GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_NAMESPACE", "GIT_PREFIX"}
	for _, vars := range [][]string{{"GIT_INDEX_FILE"}, {"GIT_DIR", "GIT_WORK_TREE"}, {"GIT_OBJECT_DIRECTORY"}, all} {
		t.Run(strings.Join(vars, "+"), func(t *testing.T) {
			root := t.TempDir()
			other := newRepo(t, filepath.Join(root, "other"), map[string]string{"Dockerfile": "from other\n"})
			repo := newRepo(t, filepath.Join(root, "r"), map[string]string{"Dockerfile": "from x\n"})
			otherGit := filepath.Join(other, ".git")
			index := filepath.Join(otherGit, "index")
			indexBefore, err := os.ReadFile(index)
			if err != nil {
				t.Fatal(err)
			}
			refsBefore := git(t, other, "for-each-ref")
			objects := filepath.Join(root, "objects")
			values := map[string]string{
				"GIT_DIR":                          otherGit,
				"GIT_WORK_TREE":                    other,
				"GIT_INDEX_FILE":                   index,
				"GIT_COMMON_DIR":                   otherGit,
				"GIT_OBJECT_DIRECTORY":             objects,
				"GIT_ALTERNATE_OBJECT_DIRECTORIES": filepath.Join(otherGit, "objects"),
				"GIT_NAMESPACE":                    "hijacked",
				"GIT_PREFIX":                       "sub/",
			}
			for _, k := range vars {
				t.Setenv(k, values[k])
			}
			repos, err := Run(context.Background(), []Target{{Path: repo}}, Options{Branch: "dockmend/upper", Fix: upper})
			for _, k := range vars {
				os.Unsetenv(k) // t.Setenv restores them afterwards
			}
			if err != nil {
				t.Fatal(err)
			}
			if repos[0].Status != Changed {
				t.Fatalf("status %s: %s %v", repos[0].Status, repos[0].Reason, repos[0].Errors)
			}
			if got := git(t, repo, "show", "dockmend/upper:Dockerfile"); got != "FROM X" {
				t.Errorf("branch Dockerfile = %q", got)
			}
			if got := git(t, repo, "status", "--porcelain"); got != "" {
				t.Errorf("the repository's status:\n%s", got)
			}
			if got, _ := os.ReadFile(index); !bytes.Equal(got, indexBefore) {
				t.Error("the other repository's index was rewritten")
			}
			if got := git(t, other, "for-each-ref"); got != refsBefore {
				t.Errorf("the other repository's refs changed:\n%s", got)
			}
			if got := git(t, other, "status", "--porcelain"); got != "" {
				t.Errorf("the other repository's status:\n%s", got)
			}
			if _, err := os.Stat(objects); err == nil {
				t.Error("objects were written to the inherited GIT_OBJECT_DIRECTORY")
			}
		})
	}
}

// TestCommitMessageQuotesPaths: file names go into the commit message
// quoted as git quotes paths, so that a newline in a name cannot add
// lines (a forged trailer, say) to the message.
func TestCommitMessageQuotesPaths(t *testing.T) {
	names := map[string]string{
		"plain/Dockerfile":                        "plain/Dockerfile",
		"with space/Dockerfile":                   "with space/Dockerfile",
		"evil\nSigned-off-by: x <x@y>/Dockerfile": `"evil\nSigned-off-by: x <x@y>/Dockerfile"`,
		"tab\there/Dockerfile":                    `"tab\there/Dockerfile"`,
		`quo"te\back/Dockerfile`:                  `"quo\"te\\back/Dockerfile"`,
		"caf\u00e9/Dockerfile":                    `"caf\303\251/Dockerfile"`,
	}
	files := map[string]string{}
	for name := range names {
		files[name] = "from x\n"
	}
	repo := newRepo(t, filepath.Join(t.TempDir(), "r"), files)
	repos, err := Run(context.Background(), []Target{{Path: repo}}, Options{Branch: "dockmend/upper", Fix: upper})
	if err != nil {
		t.Fatal(err)
	}
	if repos[0].Status != Changed || len(repos[0].Files) != len(names) {
		t.Fatalf("status %s (%s), %d files", repos[0].Status, repos[0].Reason, len(repos[0].Files))
	}
	msg := git(t, repo, "log", "-1", "--format=%B", "dockmend/upper")
	var body []string
	for _, line := range strings.Split(msg, "\n") {
		if strings.HasPrefix(line, "  ") {
			body = append(body, line)
		}
	}
	if len(body) != len(names) {
		t.Errorf("%d file lines, want %d:\n%s", len(body), len(names), msg)
	}
	for name, quoted := range names {
		if want := "  " + quoted + ": upper 1"; !slices.Contains(body, want) {
			t.Errorf("no line %q for %q in:\n%s", want, name, msg)
		}
	}
	if strings.Contains(msg, "\nSigned-off-by") {
		t.Errorf("a file name added a line:\n%s", msg)
	}
}
