package projectfiles

import (
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/discover"
	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/lockfile"
)

// withFindings, before a ```dockerfile block (other HTML comments may stand between them),
// marks the block as an example that is meant to have findings (a "before", an illustration):
// the docs test then requires findings instead of a clean check.
const withFindings = "<!-- dockmend: example with findings -->"

// examplesLock records the digest of every image the repository's Dockerfiles and the docs'
// examples pin.
const examplesLock = "docs/examples.lock.yaml"

// block is a fenced code block of a Markdown file.
type block struct {
	file         string // slash-separated, relative to the repository
	line         int    // of the opening fence
	lang         string // the info string's first word
	text         string
	withFindings bool // preceded by the withFindings marker
}

func (b block) String() string { return fmt.Sprintf("%s:%d (```%s)", b.file, b.line, b.lang) }

// docFiles returns the Markdown files whose examples are tested: README.md, CONTRIBUTING.md,
// SECURITY.md and docs/*.md.
func docFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md", "CONTRIBUTING.md", "SECURITY.md"}
	docs, err := filepath.Glob(filepath.Join(repoRoot(), "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range docs {
		files = append(files, "docs/"+filepath.Base(d))
	}
	return files
}

var fence = regexp.MustCompile("^(```+|~~~+)\\s*([\\w+-]*)")

// codeBlocks returns the fenced code blocks of the Markdown files. A marker that is not
// directly before a ```dockerfile block fails the test.
func codeBlocks(t *testing.T, files []string) []block {
	t.Helper()
	var blocks []block
	for _, name := range files {
		lines := strings.Split(string(readRepoFile(t, name)), "\n")
		for i := 0; i < len(lines); i++ {
			if strings.TrimSpace(lines[i]) == withFindings {
				j := i + 1
				for j < len(lines) && (strings.TrimSpace(lines[j]) == "" || isComment(lines[j])) {
					j++
				}
				if j == len(lines) || !strings.HasPrefix(lines[j], "```dockerfile") {
					t.Errorf("%s:%d: %s is not followed by a ```dockerfile block", name, i+1, withFindings)
				}
			}
			m := fence.FindStringSubmatch(lines[i])
			if m == nil {
				continue
			}
			b := block{file: name, line: i + 1, lang: strings.ToLower(m[2])}
			for k := i - 1; k >= 0; k-- {
				s := strings.TrimSpace(lines[k])
				if s == withFindings {
					b.withFindings = true
				}
				if s != "" && !isComment(s) {
					break
				}
			}
			var body []string
			for i++; i < len(lines) && !strings.HasPrefix(lines[i], m[1]); i++ {
				body = append(body, lines[i])
			}
			if i == len(lines) {
				t.Errorf("%s:%d: the code block is not closed", name, b.line)
			}
			b.text = strings.Join(body, "\n") + "\n"
			blocks = append(blocks, b)
		}
	}
	return blocks
}

// isComment reports whether a line is one HTML comment.
func isComment(line string) bool {
	s := strings.TrimSpace(line)
	return strings.HasPrefix(s, "<!--") && strings.HasSuffix(s, "-->")
}

// checkDockerfile runs `dockmend check --offline --lockfile docs/examples.lock.yaml` on a
// Dockerfile's text.
func checkDockerfile(t *testing.T, text string) result {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return runCmd(t, time.Minute, dir, nil, dockmendBin, "check", "--offline", "--lockfile",
		filepath.Join(repoRoot(), filepath.FromSlash(examplesLock)), "Dockerfile")
}

// TestDocsDockerfiles runs dockmend check on every ```dockerfile block of the docs, offline,
// with the digests of docs/examples.lock.yaml: a block passes, unless it is marked as an
// example with findings, and then it must have some (and no error).
func TestDocsDockerfiles(t *testing.T) {
	clean, marked := 0, 0
	for _, b := range codeBlocks(t, docFiles(t)) {
		if b.lang != "dockerfile" {
			continue
		}
		r := checkDockerfile(t, b.text)
		switch {
		case b.withFindings && r.code != 1:
			t.Errorf("%s is marked as an example with findings; dockmend check: %s\n%s", b, r, b.text)
		case !b.withFindings && r.code != 0:
			t.Errorf("%s: dockmend check must pass on the docs' Dockerfiles (or mark the block with %s): %s\n%s", b, withFindings, r, b.text)
		case b.withFindings:
			marked++
		default:
			clean++
		}
	}
	t.Logf("docs: %d Dockerfile examples pass dockmend check; %d are marked as examples with findings, and have some", clean, marked)
	if clean == 0 {
		t.Error("no Dockerfile example passed: the test found none to check")
	}
}

// TestRepoDockerfiles runs dockmend check on every Dockerfile of the repository outside
// testdata (whose Dockerfiles are test inputs, unclean on purpose): the repository's own image
// and the e2e stand-ins.
func TestRepoDockerfiles(t *testing.T) {
	root := repoRoot()
	var files []string
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "bin", "dist", "node_modules", "vendor":
				return filepath.SkipDir
			}
			return nil
		}
		if discover.IsDockerfileName(d.Name()) {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	rel := func(p string) string { r, _ := filepath.Rel(root, p); return filepath.ToSlash(r) }
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if r := checkDockerfile(t, string(b)); r.code != 0 {
			t.Errorf("%s: dockmend check: %s", rel(f), r)
		}
	}
	var names []string
	for _, f := range files {
		names = append(names, rel(f))
	}
	t.Logf("repository: dockmend check passes on %d Dockerfiles: %s", len(files), strings.Join(names, ", "))
	if !slices.Contains(names, "Dockerfile") {
		t.Error("the repository's Dockerfile was not found")
	}
}

// lockedDigests returns the digests of docs/examples.lock.yaml by canonical reference.
func lockedDigests(t *testing.T) map[string]string {
	t.Helper()
	f, err := lockfile.Load(filepath.Join(repoRoot(), filepath.FromSlash(examplesLock)))
	if err != nil {
		t.Fatal(err)
	}
	m := map[string]string{}
	for _, e := range f.Entries() {
		m[e.Reference] = e.Digest
	}
	return m
}

// checkPinnedImage returns what is wrong with an image reference of an example: it must keep
// its tag, be pinned by digest, and name the digest the lock file records for the tag.
func checkPinnedImage(ref string, locked map[string]string) string {
	r, err := imageref.Parse(ref)
	switch {
	case err != nil:
		return err.Error()
	case r.Tag == "" || r.Digest == "":
		return fmt.Sprintf("%s must keep its tag and be pinned by digest (IMAGE:TAG@sha256:...)", ref)
	case locked[r.Canonical()] == "":
		return fmt.Sprintf("%s: %s has no digest for %s", ref, examplesLock, r.Canonical())
	case locked[r.Canonical()] != r.Digest:
		return fmt.Sprintf("%s: %s records %s for %s", ref, examplesLock, locked[r.Canonical()], r.Canonical())
	}
	return ""
}

// yamlImages returns the values of every `image:` key of a YAML document: a string, or the
// name of a mapping (GitLab's `image: {name: ..., entrypoint: ...}`).
func yamlImages(n *yaml.Node) []string {
	var out []string
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Value == "image" {
				switch v.Kind {
				case yaml.ScalarNode:
					out = append(out, v.Value)
				case yaml.MappingNode:
					for j := 0; j+1 < len(v.Content); j += 2 {
						if v.Content[j].Value == "name" {
							out = append(out, v.Content[j+1].Value)
						}
					}
				}
			}
		}
	}
	for _, c := range n.Content {
		out = append(out, yamlImages(c)...)
	}
	return out
}

// topKeys returns the keys of a YAML document's top-level mapping.
func topKeys(doc *yaml.Node) map[string]bool {
	keys := map[string]bool{}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) == 1 && doc.Content[0].Kind == yaml.MappingNode {
		m := doc.Content[0]
		for i := 0; i < len(m.Content); i += 2 {
			keys[m.Content[i].Value] = true
		}
	}
	return keys
}

var (
	dockmendAction = regexp.MustCompile(`^\s*(?:-\s+)?uses:\s*dockmend/dockmend@([0-9a-f]{40})`)
	groovyImage    = regexp.MustCompile(`\bimage\s*\(?\s*['"]([^'"]+)['"]`)
)

// actionInputsAt returns the inputs of action.yml at a commit of this repository.
func actionInputsAt(t *testing.T, commit string) (map[string]bool, error) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		return nil, fmt.Errorf("git is not on PATH")
	}
	r := runCmd(t, time.Minute, repoRoot(), gitEnv(), "git", "show", commit+":action.yml")
	if r.code != 0 {
		return nil, fmt.Errorf("this repository has no action.yml at commit %s (was the branch rebased? pin a commit that has it): %s", commit, strings.TrimSpace(r.stderr))
	}
	var a actionMeta
	if err := yaml.Unmarshal([]byte(r.stdout), &a); err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for k := range a.Inputs {
		in[k] = true
	}
	return in, nil
}

// TestDocsWorkflows checks the CI examples of the docs: every GitHub Actions workflow
// (```yaml with on: and jobs:) passes actionlint, pins every action by commit, and gives the
// dockmend action only inputs it has at the pinned commit; every image of a YAML (GitHub,
// GitLab, Kubernetes) or Jenkinsfile example keeps its tag and is pinned by the digest that
// docs/examples.lock.yaml records.
func TestDocsWorkflows(t *testing.T) {
	locked := lockedDigests(t)
	workflows, images := 0, 0
	for _, b := range codeBlocks(t, docFiles(t)) {
		var refs []string
		switch b.lang {
		case "yaml", "yml":
			var doc yaml.Node
			if err := yaml.Unmarshal([]byte(b.text), &doc); err != nil {
				t.Errorf("%s: %v", b, err)
				continue
			}
			refs = yamlImages(&doc)
			keys := topKeys(&doc)
			if keys["jobs"] && !keys["on"] && strings.Contains(b.text, "runs-on:") {
				t.Errorf("%s: a GitHub Actions workflow without on: (write whole workflows, so that actionlint checks them)", b)
			}
			for _, p := range checkPinnedUses(b.text) {
				t.Errorf("%s: %s", b, p)
			}
			if keys["jobs"] && keys["on"] {
				workflows++
				for _, e := range lint(t, b.String(), b.text) {
					t.Errorf("%s: actionlint: %s\n%s", b, e, b.text)
				}
				checkDockmendSteps(t, b, &doc)
			}
		case "groovy", "jenkinsfile":
			for _, m := range groovyImage.FindAllStringSubmatch(b.text, -1) {
				refs = append(refs, m[1])
			}
		default:
			continue
		}
		for _, ref := range refs {
			images++
			if p := checkPinnedImage(ref, locked); p != "" {
				t.Errorf("%s: %s", b, p)
			}
		}
	}
	t.Logf("docs: %d GitHub Actions workflows pass actionlint; %d images in CI examples are pinned by the lock file's digests", workflows, images)
	if workflows == 0 {
		t.Error("no workflow found in the docs")
	}
}

// checkDockmendSteps checks the steps of a workflow that use dockmend's action: the commit
// must have action.yml, and `with:` must name only its inputs.
func checkDockmendSteps(t *testing.T, b block, doc *yaml.Node) {
	t.Helper()
	var wf struct {
		Jobs map[string]struct {
			Steps []struct {
				Uses string            `yaml:"uses"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := doc.Decode(&wf); err != nil {
		t.Errorf("%s: %v", b, err)
		return
	}
	for job, j := range wf.Jobs {
		for _, s := range j.Steps {
			m := dockmendAction.FindStringSubmatch("uses: " + s.Uses)
			if m == nil {
				continue
			}
			inputs, err := actionInputsAt(t, m[1])
			if err != nil {
				t.Errorf("%s: job %s: %v", b, job, err)
				continue
			}
			for k := range s.With {
				if !inputs[k] {
					t.Errorf("%s: job %s: the dockmend action at %s has no input %q", b, job, m[1][:12], k)
				}
			}
		}
	}
}
