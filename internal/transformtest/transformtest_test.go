package transformtest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/golden"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// upper reports instruction keywords written in lower case and fixes them.
var upper = &transform.Transformer{
	Name: "upper",
	Doc:  "upper: write instruction keywords in upper case",
	Run: func(p *transform.Pass) error {
		return p.Walk(func(in *source.Instruction) {
			kw := string(p.File.Data[in.Start : in.Start+len(in.Keyword)])
			if kw != in.Keyword {
				end := in.Start + len(kw)
				p.Report(transform.Finding{Start: in.Start, End: end, Message: kw + " in lower case",
					Fix: &transform.Fix{Message: "upper-case it", Edits: []transform.Edit{{Start: in.Start, End: end, New: in.Keyword}}}})
			}
		})
	},
}

// fickle adds a comment on its first and third pass: its fixes settle,
// but a second run changes the output again.
func fickle() *transform.Transformer {
	passes := 0
	return &transform.Transformer{
		Name: "fickle",
		Doc:  "fickle: add a comment, sometimes",
		Run: func(p *transform.Pass) error {
			if passes++; passes == 1 || passes == 3 {
				p.Report(transform.Finding{Message: "no comment", Fix: &transform.Fix{Message: "add", Edits: []transform.Edit{{Start: 0, End: 0, New: "# x\n"}}}})
			}
			return nil
		},
	}
}

// recorder is a Testing that records what the harness reports.
type recorder struct {
	errors, fatals []string
	cleanups       []func()
}

func (r *recorder) Helper() {}
func (r *recorder) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recorder) Fatalf(format string, args ...any) {
	r.fatals = append(r.fatals, fmt.Sprintf(format, args...))
}
func (r *recorder) Cleanup(f func()) { r.cleanups = append(r.cleanups, f) }

// TestHarness runs cases that pass and cases that must fail, and checks
// what the harness reports for each.
func TestHarness(t *testing.T) {
	if golden.Update() {
		t.Skip("-update: the harness's own cases compare, they are not golden files")
	}
	const good = "A lower-case keyword.\n-- Dockerfile --\nfrom scratch<CR>\n-- Dockerfile.golden --\nFROM scratch<CR>\n-- findings --\n1:1 upper: from in lower case [safe fix]\n"
	tests := []struct {
		name, archive string
		rules         []*transform.Transformer
		setup         func(Testing, *Case)
		errors        []string // each must appear in one reported error
		fatal         string
	}{
		{name: "good", archive: good, rules: []*transform.Transformer{upper}},
		{name: "nothing to do", archive: "-- Dockerfile --\nFROM scratch\n-- findings --\n", rules: []*transform.Transformer{upper}},
		{name: "nofix", archive: "-- Dockerfile --\nfrom scratch\n-- options --\nnofix\n-- findings --\n1:1 upper: from in lower case [safe fix]\n", rules: []*transform.Transformer{upper}},
		{name: "wrong findings", archive: strings.Replace(good, "1:1 upper", "1:2 upper", 1), rules: []*transform.Transformer{upper},
			errors: []string{"findings differ"}},
		{name: "wrong output", archive: strings.Replace(good, "FROM scratch<CR>", "FROM scratch\n", 1), rules: []*transform.Transformer{upper},
			errors: []string{"Dockerfile.golden differs"}},
		{name: "no golden", archive: "-- Dockerfile --\nfrom scratch\n", rules: []*transform.Transformer{upper},
			errors: []string{"no Dockerfile.golden section"}},
		{name: "golden but no change", archive: "-- Dockerfile --\nFROM scratch\n-- Dockerfile.golden --\nFROM scratch\n", rules: []*transform.Transformer{upper},
			errors: []string{"the Dockerfile.golden section is there"}},
		{name: "not idempotent", archive: "-- Dockerfile --\nFROM scratch\n-- Dockerfile.golden --\n# x\nFROM scratch\n-- findings --\n1:1 fickle: no comment [safe fix]\n",
			rules: []*transform.Transformer{fickle()}, errors: []string{"not idempotent"}},
		{name: "unknown option", archive: "-- Dockerfile --\nFROM scratch\n-- options --\nfast\n", rules: []*transform.Transformer{upper},
			fatal: `unknown option "fast"`},
		{name: "no Dockerfile", archive: "-- findings --\n", rules: []*transform.Transformer{upper}, fatal: "no Dockerfile section"},
		{name: "setup section and option", archive: "-- Dockerfile --\nfrom scratch\n-- options --\nshout\n-- Dockerfile.golden --\nFROM scratch\n-- note --\nshout\n",
			setup: func(t Testing, c *Case) {
				if len(c.Words) != 1 || c.Words[0] != "shout" {
					t.Fatalf("words %q", c.Words)
					return
				}
				c.Options.Transformers = []*transform.Transformer{upper}
				c.Golden("note", func(*engine.Result) ([]byte, bool) { return []byte("shout\n"), true })
			}},
		{name: "setup section differs", archive: "-- Dockerfile --\nFROM scratch\n-- note --\nwhisper\n",
			setup: func(t Testing, c *Case) {
				c.Options.Transformers = []*transform.Transformer{upper}
				c.Golden("note", func(*engine.Result) ([]byte, bool) { return []byte("shout\n"), true })
			},
			errors: []string{"note differs"}},
		{name: "setup fails", archive: "-- Dockerfile --\nFROM scratch\n",
			setup: func(t Testing, c *Case) { t.Fatalf("no registry") }, fatal: "no registry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := filepath.Join(t.TempDir(), "case.txtar")
			if err := os.WriteFile(file, []byte(tt.archive), 0o644); err != nil {
				t.Fatal(err)
			}
			r := &recorder{}
			Suite{Rules: tt.rules, Setup: tt.setup}.RunFile(r, file)
			for _, want := range tt.errors {
				if !strings.Contains(strings.Join(r.errors, "\n"), want) {
					t.Errorf("errors %q, want one with %q", r.errors, want)
				}
			}
			if len(tt.errors) == 0 && len(r.errors) > 0 {
				t.Errorf("unexpected errors %q", r.errors)
			}
			if got := strings.Join(r.fatals, "\n"); (tt.fatal == "") != (got == "") || !strings.Contains(got, tt.fatal) {
				t.Errorf("fatal %q, want %q", got, tt.fatal)
			}
			if b, _ := os.ReadFile(file); string(b) != tt.archive {
				t.Errorf("the case was rewritten without -update:\n%s", b)
			}
		})
	}
}

func TestLineEndingsKept(t *testing.T) {
	for _, tt := range []struct {
		in, out string
		ok      bool
	}{
		{"a\nb\n", "a\nb\nc\n", true},
		{"a\r\nb\r\n", "a\r\nb\r\nc\r\n", true},
		{"a\nb\n", "a\r\nb\n", false},
		{"a\r\nb\r\n", "a\r\nb\n", false},
	} {
		if err := LineEndingsKept([]byte(tt.in), []byte(tt.out)); (err == nil) != tt.ok {
			t.Errorf("LineEndingsKept(%q, %q) = %v, want ok %v", tt.in, tt.out, err, tt.ok)
		}
	}
}
