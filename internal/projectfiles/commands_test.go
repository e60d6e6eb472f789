package projectfiles

import (
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/testregistry"
)

// runCommands, before a code block (other HTML comments may stand between them), marks the
// block's dockmend commands as examples the docs test runs: the script lines of a GitLab job,
// the sh steps of a Jenkinsfile, the lines of a shell block that start with "dockmend".
const runCommands = "<!-- dockmend: the dockmend commands of the next block are run by a test -->"

// markedBlocks returns the code blocks of the docs that runCommands marks.
func markedBlocks(t *testing.T) []block {
	t.Helper()
	var out []block
	for _, name := range docFiles(t) {
		lines := strings.Split(string(readRepoFile(t, name)), "\n")
		for i, l := range lines {
			if strings.TrimSpace(l) != runCommands {
				continue
			}
			j := i + 1
			for j < len(lines) && (strings.TrimSpace(lines[j]) == "" || isComment(lines[j])) {
				j++
			}
			found := false
			for _, b := range codeBlocks(t, []string{name}) {
				if b.line == j+1 {
					out = append(out, b)
					found = true
				}
			}
			if !found {
				t.Errorf("%s:%d: %s is not followed by a code block", name, i+1, runCommands)
			}
		}
	}
	return out
}

var jenkinsSh = regexp.MustCompile(`(?m)^\s*sh\s+'([^']*)'`)

// dockmendCommands returns the dockmend command lines of a block, as a shell would run them.
func dockmendCommands(t *testing.T, b block) []string {
	t.Helper()
	var cmds []string
	add := func(c string) {
		c = strings.TrimSpace(strings.ReplaceAll(c, `"$GOPATH/bin/dockmend"`, "dockmend"))
		if strings.HasPrefix(c, "dockmend ") {
			cmds = append(cmds, c)
		}
	}
	switch b.lang {
	case "yaml", "yml":
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(b.text), &doc); err != nil {
			t.Fatalf("%s: %v", b, err)
		}
		var walk func(n *yaml.Node)
		walk = func(n *yaml.Node) {
			if n.Kind == yaml.MappingNode {
				for i := 0; i+1 < len(n.Content); i += 2 {
					if n.Content[i].Value == "script" && n.Content[i+1].Kind == yaml.SequenceNode {
						for _, s := range n.Content[i+1].Content {
							add(s.Value)
						}
					}
				}
			}
			for _, c := range n.Content {
				walk(c)
			}
		}
		walk(&doc)
	case "groovy", "jenkinsfile":
		for _, m := range jenkinsSh.FindAllStringSubmatch(b.text, -1) {
			add(m[1])
		}
	case "sh", "bash", "shell":
		for _, l := range strings.Split(b.text, "\n") {
			add(l)
		}
	default:
		t.Errorf("%s: %s marks a block whose language it cannot read", b, runCommands)
	}
	if len(cmds) == 0 {
		t.Errorf("%s: marked as run by a test, but it has no dockmend command", b)
	}
	return cmds
}

// exampleRepo makes a scratch repository of the bundled examples (testdata/examples, and one
// of them as ./Dockerfile) whose .dockmend.yaml sends the digest lookups of Docker Hub to a
// test registry on loopback that has the examples' images: the docs' commands run as written,
// without the network.
func exampleRepo(t *testing.T) string {
	t.Helper()
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var images []testregistry.Image
	for _, ref := range []string{"library/alpine:3.20", "library/debian:bookworm", "library/fedora:40", "opensuse/leap:15.6", "library/python:3.12-slim"} {
		repo, tag, _ := strings.Cut(ref, ":")
		images = append(images, testregistry.Image{Repo: repo, Tag: tag, Kind: testregistry.KindIndex, Platforms: []string{"linux/amd64", "linux/arm64"}})
	}
	if _, err := srv.Seed(ctx, images...); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	src := filepath.Join(repoRoot(), "testdata", "examples")
	err = filepath.WalkDir(src, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		if rel == "dockmend.lock" {
			return nil // the digests of the test registry are another's
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		dst := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	write := func(name, content string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("Dockerfile", string(readRepoFile(t, "testdata/examples/python-api/Dockerfile")))
	write(".dockmend.yaml", fmt.Sprintf("registry-mirrors:\n  docker.io: %s\ninsecure-registries: [%s]\n", srv.URL(), srv.Host()))
	if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

var redirect = regexp.MustCompile(`>\s*(\S+)\s*$`)

// TestDocsCommands runs the dockmend commands of the blocks the docs mark with runCommands (the
// GitLab and Jenkins jobs of docs/ci.md, the README's first commands) as written, in a scratch
// repository of the bundled examples: none may fail with an error (exit 2); with --exit-zero
// each exits 0; a report written to a file must be the format it names (JSON for gitlab and
// sarif, XML for checkstyle).
func TestDocsCommands(t *testing.T) {
	blocks := markedBlocks(t)
	if len(blocks) == 0 {
		t.Fatal("no block of the docs is marked as run by a test")
	}
	bin := filepath.Dir(dockmendBin)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "NO_COLOR=1"}
	ran := 0
	for _, b := range blocks {
		dir := exampleRepo(t)
		for _, c := range dockmendCommands(t, b) {
			r := runCmd(t, 2*time.Minute, dir, env, "bash", "-c", c)
			ran++
			switch {
			case r.code == 2 || r.code > 2:
				t.Errorf("%s: %s: %s", b, c, r)
				continue
			case strings.Contains(c, "--exit-zero") && r.code != 0:
				t.Errorf("%s: %s exits %d despite --exit-zero: %s", b, c, r.code, r)
			}
			m := redirect.FindStringSubmatch(c)
			if m == nil {
				continue
			}
			out, err := os.ReadFile(filepath.Join(dir, m[1]))
			if err != nil {
				t.Errorf("%s: %s: %v", b, c, err)
				continue
			}
			switch {
			case strings.Contains(c, "--format gitlab"):
				var issues []map[string]any
				if err := json.Unmarshal(out, &issues); err != nil || len(issues) == 0 {
					t.Errorf("%s: %s: not a Code Quality report with issues (%v):\n%s", b, c, err, out)
				}
			case strings.Contains(c, "--format sarif"):
				var log struct{ Version string }
				if err := json.Unmarshal(out, &log); err != nil || log.Version != "2.1.0" {
					t.Errorf("%s: %s: not SARIF 2.1.0 (%v)", b, c, err)
				}
			case strings.Contains(c, "--format checkstyle"):
				var doc struct {
					XMLName xml.Name   `xml:"checkstyle"`
					Files   []struct{} `xml:"file"`
				}
				if err := xml.Unmarshal(out, &doc); err != nil || len(doc.Files) == 0 {
					t.Errorf("%s: %s: not a Checkstyle report with files (%v):\n%s", b, c, err, out)
				}
			}
		}
	}
	t.Logf("docs: ran %d dockmend commands of %d marked blocks", ran, len(blocks))
}

// TestDocsConsole runs the ```console blocks of the docs: each "$ " line as a shell command,
// in a scratch directory where testdata/ is the repository's (so that examples read the
// bundled files), one block a directory; what it prints (standard output and error together)
// must be the lines that follow it, up to the next "$ ". "$ echo $?" prints the exit status of
// the command before it.
func TestDocsConsole(t *testing.T) {
	bin := filepath.Dir(dockmendBin)
	env := []string{"PATH=" + bin + string(os.PathListSeparator) + os.Getenv("PATH"), "NO_COLOR=1"}
	n := 0
	for _, b := range codeBlocks(t, docFiles(t)) {
		if b.lang != "console" {
			continue
		}
		dir := t.TempDir()
		if err := os.Symlink(filepath.Join(repoRoot(), "testdata"), filepath.Join(dir, "testdata")); err != nil {
			t.Fatal(err)
		}
		var cmd string
		var want []string
		last := 0
		flush := func() {
			if cmd == "" {
				return
			}
			n++
			got := fmt.Sprint(last)
			if cmd != "echo $?" {
				r := runCmd(t, 2*time.Minute, dir, env, "bash", "-c", cmd+" 2>&1")
				got, last = strings.TrimRight(r.stdout, "\n"), r.code
			}
			if w := strings.TrimRight(strings.Join(want, "\n"), "\n"); got != w {
				t.Errorf("%s: $ %s\nprints\n%s\nthe docs say\n%s", b, cmd, got, w)
			}
		}
		for _, l := range strings.Split(strings.TrimRight(b.text, "\n"), "\n") {
			if c, ok := strings.CutPrefix(l, "$ "); ok {
				flush()
				cmd, want = c, nil
				continue
			}
			want = append(want, l)
		}
		flush()
	}
	t.Logf("docs: %d console commands print what the docs say", n)
	if n == 0 {
		t.Error("no console block in the docs")
	}
}
