package session

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/transform"
)

func write(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, data := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// The files of one configuration share its rules, built once: each
// rule's Prepare then runs once for all of them. Another configuration
// has rules of its own.
func TestPlanBuildsRulesOncePerConfiguration(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, map[string]string{
		"a/Dockerfile":     "FROM localhost:1/app:1\n",
		"b/Dockerfile":     "FROM scratch\n",
		"c/.dockmend.yaml": "select: [apt, multistage]\n",
		"c/Dockerfile":     "FROM scratch\n",
		"c/sub/Dockerfile": "FROM scratch\n",
	})
	s, err := New(Options{Flags: nil})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, err := s.Plan(context.Background(), Input{Paths: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Errs) > 0 {
		t.Fatal(p.Errs)
	}
	rules := map[string][]*transform.Transformer{}
	for _, f := range p.Files {
		rel, _ := filepath.Rel(dir, f.Path)
		rules[filepath.ToSlash(rel)] = f.Options.Transformers
	}
	same := func(x, y []*transform.Transformer) bool {
		if len(x) != len(y) {
			return false
		}
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(rules["a/Dockerfile"], rules["b/Dockerfile"]) || !same(rules["c/Dockerfile"], rules["c/sub/Dockerfile"]) {
		t.Error("files of one configuration do not share its rules")
	}
	var names []string
	for _, r := range rules["c/Dockerfile"] {
		names = append(names, r.Name)
	}
	if strings.Join(names, ",") != "apt,multistage" {
		t.Errorf("c's rules are %v, want its selection apt,multistage", names)
	}
	if len(rules["a/Dockerfile"]) == 0 || rules["a/Dockerfile"][0].Name != "pin" || rules["a/Dockerfile"][0].Prepare == nil {
		t.Error("a's rules do not start with pin, which prepares")
	}

	var emitted []string
	res, err := s.Run(context.Background(), p, RunOptions{Emit: func(out driver.Outcome) error {
		rel, _ := filepath.Rel(dir, out.File.Path)
		emitted = append(emitted, filepath.ToSlash(rel))
		return nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	// Nothing answers on localhost:1: a's lookup fails, and so the run.
	if !res.Failed || len(res.Errors) != 1 || !strings.Contains(res.Errors[0].Message, "cannot reach registry localhost:1") {
		t.Errorf("run failed: %v, errors %v; want the unreachable registry", res.Failed, res.Errors)
	}
	if got := strings.Join(emitted, ","); got != "a/Dockerfile,b/Dockerfile,c/Dockerfile,c/sub/Dockerfile" {
		t.Errorf("emitted %s, want the files in order", got)
	}
}
