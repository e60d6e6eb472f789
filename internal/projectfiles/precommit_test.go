package projectfiles

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/discover"
)

type hook struct {
	ID            string `yaml:"id"`
	Name          string `yaml:"name"`
	Entry         string `yaml:"entry"`
	Language      string `yaml:"language"`
	Files         string `yaml:"files"`
	Exclude       string `yaml:"exclude"`
	RequireSerial bool   `yaml:"require_serial"`
}

func readHooks(t *testing.T) map[string]hook {
	t.Helper()
	var hooks []hook
	if err := yaml.Unmarshal(readRepoFile(t, ".pre-commit-hooks.yaml"), &hooks); err != nil {
		t.Fatalf(".pre-commit-hooks.yaml: %v", err)
	}
	m := map[string]hook{}
	for _, h := range hooks {
		m[h.ID] = h
	}
	return m
}

// TestPreCommitHookFiles checks that the hooks' files and exclude patterns pick the files that
// dockmend itself takes for Dockerfiles (discover.IsDockerfileName), for a table of names and,
// when the shared corpus is there, every name in it. pre-commit matches with Python's re.search;
// the patterns use only syntax that Go's regexp reads the same way.
func TestPreCommitHookFiles(t *testing.T) {
	hooks := readHooks(t)
	for _, id := range []string{"dockmend-fix", "dockmend-check"} {
		h, ok := hooks[id]
		if !ok {
			t.Fatalf("no hook %s", id)
		}
		if h.Language != "golang" || !strings.HasPrefix(h.Entry, "dockmend ") {
			t.Errorf("%s: language %q entry %q, want golang and dockmend ...", id, h.Language, h.Entry)
		}
		files, exclude := regexp.MustCompile(h.Files), regexp.MustCompile(h.Exclude)
		match := func(path string) bool { return files.MatchString(path) && !exclude.MatchString(path) }
		names := []string{
			"Dockerfile", "dockerfile", "Containerfile", "Dockerfile.dev", "Dockerfile-prod",
			"Dockerfile_arm64", "api.Dockerfile", "web.containerfile", "DOCKERFILE.test",
			"Dockerfile.md", "Dockerfile.sh", "Dockerfile.yaml", "Dockerfile~", "Dockerfile.orig",
			"Dockerfile.", "Dockerfiles", "MyDockerfile", "Dockerfile.dockerignore", "x.Dockerfile.bak",
			".Dockerfile", "README.md", "main.go",
		}
		if entries, err := os.ReadDir(filepath.Join(repoRoot(), "..", "shared", "corpus")); err == nil {
			for _, e := range entries {
				names = append(names, e.Name())
			}
		}
		for _, name := range names {
			for _, path := range []string{name, "services/api/" + name} {
				if got, want := match(path), discover.IsDockerfileName(name); got != want {
					t.Errorf("%s: %q matches %v, dockmend takes it for a Dockerfile: %v", id, path, got, want)
				}
			}
		}
	}
	if !hooks["dockmend-fix"].RequireSerial {
		t.Error("dockmend-fix must be require_serial: several fix processes would write one lock file")
	}
}

// TestPreCommit runs the hooks with pre-commit in a scratch repository, as a user would:
// pre-commit clones this repository (a snapshot of the work tree) and builds dockmend with
// `go install ./...` (language: golang), offline from the module cache. A commit of an unclean
// Dockerfile is stopped by dockmend-fix, which fixes the file; adding the fix lets the commit
// through. dockmend-check refuses an unclean Dockerfile and leaves it as it was.
func TestPreCommit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds dockmend with pre-commit; skipped with -short")
	}
	if _, err := exec.LookPath("pre-commit"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("pre-commit is not on PATH (Debian package pre-commit; .ci/run installs it)")
		}
		t.Skip("pre-commit is not on PATH: apt-get install pre-commit (CI installs it and runs this test)")
	}
	hooksRepo, rev := snapshot(t)
	gomodcache := strings.TrimSpace(runCmd(t, time.Minute, repoRoot(), nil, "go", "env", "GOMODCACHE").stdout)
	home := t.TempDir()
	env := append(gitEnv(),
		"PRE_COMMIT_HOME="+filepath.Join(home, "pre-commit"),
		// pre-commit sets GOPATH to the hook's environment, which would move the module cache
		// there: keep the one that has the modules, and never reach for the network
		"GOMODCACHE="+gomodcache, "GOPROXY=off", "GOFLAGS=-mod=mod",
		"PRE_COMMIT_COLOR=never", "SKIP=",
	)
	lock := string(readRepoFile(t, "testdata/examples/dockmend.lock"))
	const unclean = "FROM debian:bookworm\nRUN apt-get update\nRUN apt-get install -y curl\n"

	newRepo := func(hookID string) string {
		dir := filepath.Join(t.TempDir(), "app")
		if err := os.MkdirAll(filepath.Join(dir, "docker"), 0o755); err != nil {
			t.Fatal(err)
		}
		config := "repos:\n  - repo: " + hooksRepo + "\n    rev: " + rev + "\n    hooks:\n      - id: " + hookID +
			"\n        args: [--offline, --lockfile, dockmend.lock]\n"
		for name, content := range map[string]string{
			".pre-commit-config.yaml": config,
			"dockmend.lock":           lock,
			"README.md":               "FROM debian:bookworm is not a Dockerfile here\n",
		} {
			if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		git(t, dir, "init", "-q", "-b", "main")
		r := runCmd(t, time.Minute, dir, env, "pre-commit", "install")
		if r.code != 0 {
			t.Fatalf("pre-commit install: %s", r)
		}
		git(t, dir, "add", "-A")
		git(t, dir, "commit", "-q", "--no-verify", "-m", "setup")
		if err := os.WriteFile(filepath.Join(dir, "docker", "Dockerfile.api"), []byte(unclean), 0o644); err != nil {
			t.Fatal(err)
		}
		git(t, dir, "add", "docker/Dockerfile.api")
		return dir
	}
	commit := func(dir string) result {
		// the first commit builds dockmend (go install ./... of the snapshot)
		return runCmd(t, 15*time.Minute, dir, env, "git", "commit", "-m", "add the api image")
	}
	read := func(dir string) string {
		return string(must(os.ReadFile(filepath.Join(dir, "docker", "Dockerfile.api"))))
	}

	t.Run("fix", func(t *testing.T) {
		dir := newRepo("dockmend-fix")
		r := commit(dir)
		if r.code == 0 {
			t.Fatalf("the commit of an unclean Dockerfile went through: %s", r)
		}
		out := r.stdout + r.stderr
		for _, want := range []string{"dockmend fix", "Failed", "files were modified by this hook"} {
			if !strings.Contains(out, want) {
				t.Errorf("pre-commit output lacks %q:\n%s", want, out)
			}
		}
		fixed := read(dir)
		want := "FROM debian:bookworm@sha256:33ca1009b5776204eb6dbb72996bf2c9383a48d3536e2e6ceae0736bedc102ba\n" +
			"RUN apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*\n"
		if fixed != want {
			t.Errorf("docker/Dockerfile.api after the hook:\n%s\nwant:\n%s", fixed, want)
		}
		if git(t, dir, "log", "--format=%s", "-1") != "setup" {
			t.Error("a commit was made")
		}
		git(t, dir, "add", "docker/Dockerfile.api")
		if r := commit(dir); r.code != 0 {
			t.Fatalf("the commit of the fixed file failed: %s", r)
		}
		if got := git(t, dir, "show", "HEAD:docker/Dockerfile.api"); got+"\n" != want {
			t.Errorf("committed:\n%s", got)
		}
	})

	t.Run("check", func(t *testing.T) {
		dir := newRepo("dockmend-check")
		r := commit(dir)
		if r.code == 0 {
			t.Fatalf("the commit of an unclean Dockerfile went through: %s", r)
		}
		out := r.stdout + r.stderr
		for _, want := range []string{"dockmend check", "Failed", "docker/Dockerfile.api:1:6: pin warning: debian:bookworm is not pinned", "apt[DL3009]"} {
			if !strings.Contains(out, want) {
				t.Errorf("pre-commit output lacks %q:\n%s", want, out)
			}
		}
		if got := read(dir); got != unclean {
			t.Errorf("dockmend-check changed the file:\n%s", got)
		}
		// fixed by hand (here by dockmend, the unsafe --no-install-recommends included), the
		// commit goes through
		if r := runCmd(t, time.Minute, dir, nil, dockmendBin, "fix", "--unsafe-fixes", "--offline", "--lockfile", "dockmend.lock", "docker"); r.code != 0 {
			t.Fatalf("dockmend fix: %s", r)
		}
		git(t, dir, "add", "docker/Dockerfile.api")
		if r := commit(dir); r.code != 0 {
			t.Fatalf("the commit of the fixed file failed: %s", r)
		}
	})
}
