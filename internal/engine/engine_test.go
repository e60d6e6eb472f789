package engine_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// rule builds a test transformer.
func rule(name string, run func(*transform.Pass) error) *transform.Transformer {
	return &transform.Transformer{Name: name, Doc: name + ": a test rule", Default: true, Run: run}
}

// replace is a rule that reports every match of re and replaces it with
// repl (a regexp.Expand template) as a fix of the given applicability.
// code is the finding's check id.
func replace(name, code, re, repl string, app transform.Applicability) *transform.Transformer {
	rx := regexp.MustCompile(re)
	return rule(name, func(p *transform.Pass) error {
		for _, m := range rx.FindAllSubmatchIndex(p.File.Data, -1) {
			newText := string(rx.Expand(nil, []byte(repl), p.File.Data, m))
			p.Report(transform.Finding{
				Code:    code,
				Start:   m[0],
				End:     m[1],
				Message: fmt.Sprintf("%s wants %q", name, newText),
				Fix: &transform.Fix{
					Message:       "replace",
					Edits:         []transform.Edit{{Start: m[0], End: m[1], New: newText}},
					Applicability: app,
				},
			})
		}
		return nil
	})
}

// report is a rule that reports every match of re without a fix.
func report(name, code, re string) *transform.Transformer {
	rx := regexp.MustCompile(re)
	return rule(name, func(p *transform.Pass) error {
		for _, m := range rx.FindAllIndex(p.File.Data, -1) {
			p.Report(transform.Finding{Code: code, Start: m[0], End: m[1], Message: name})
		}
		return nil
	})
}

func run(t *testing.T, src string, opts engine.Options) *engine.Result {
	t.Helper()
	res, err := engine.Run(context.Background(), "Dockerfile", []byte(src), opts)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	return res
}

// summary renders findings as "line:col-endline:endcol rule[/code]".
func summary(fs []engine.Finding) string {
	var parts []string
	for _, f := range fs {
		s := fmt.Sprintf("%d:%d-%d:%d %s", f.Line, f.Col, f.EndLine, f.EndCol, f.Rule)
		if f.Code != "" {
			s += "/" + f.Code
		}
		parts = append(parts, s)
	}
	return strings.Join(parts, " ")
}

func TestRunResult(t *testing.T) {
	tests := []struct {
		name      string
		src       string
		rules     []*transform.Transformer
		opts      engine.Options
		out       string // "" means unchanged
		findings  string
		remaining string
		fixed     int
		passes    int
	}{
		{
			name:     "nothing to do",
			src:      "FROM alpine:3.19\n",
			rules:    []*transform.Transformer{replace("tag", "", `alpine:latest`, "alpine:3.19", transform.Safe)},
			passes:   1,
			findings: "",
		},
		{
			name:     "one safe fix",
			src:      "FROM alpine:latest\nRUN echo\n",
			rules:    []*transform.Transformer{replace("tag", "DL3007", `alpine:latest`, "alpine:3.19", transform.Safe)},
			out:      "FROM alpine:3.19\nRUN echo\n",
			findings: "1:6-1:19 tag/DL3007",
			fixed:    1,
			passes:   2,
		},
		{
			name:  "findings without a fix stay",
			src:   "FROM alpine:latest\nUSER root\n",
			rules: []*transform.Transformer{report("root", "DL3002", `USER root`), replace("tag", "", `:latest`, ":3.19", transform.Safe)},
			out:   "FROM alpine:3.19\nUSER root\n",
			// Findings are ordered by position.
			findings:  "1:12-1:19 tag 2:1-2:10 root/DL3002",
			remaining: "2:1-2:10 root/DL3002",
			fixed:     1,
			passes:    2,
		},
		{
			name:      "unsafe fix not applied by default",
			src:       "FROM alpine\nRUN apt-get install curl\n",
			rules:     []*transform.Transformer{replace("recs", "DL3015", `install `, "install --no-install-recommends ", transform.Unsafe)},
			findings:  "2:13-2:21 recs/DL3015",
			remaining: "2:13-2:21 recs/DL3015",
			passes:    1,
		},
		{
			name:     "unsafe fix applied with UnsafeFixes",
			src:      "FROM alpine\nRUN apt-get install curl\n",
			rules:    []*transform.Transformer{replace("recs", "DL3015", `install (curl)`, "install --no-install-recommends $1", transform.Unsafe)},
			opts:     engine.Options{UnsafeFixes: true},
			out:      "FROM alpine\nRUN apt-get install --no-install-recommends curl\n",
			findings: "2:13-2:25 recs/DL3015",
			fixed:    1,
			passes:   2,
		},
		{
			name:      "NoFix reports and changes nothing",
			src:       "FROM alpine:latest\n",
			rules:     []*transform.Transformer{replace("tag", "", `:latest`, ":3.19", transform.Safe)},
			opts:      engine.Options{NoFix: true},
			findings:  "1:12-1:19 tag",
			remaining: "1:12-1:19 tag",
			passes:    1,
		},
		{
			name: "conflicting fixes: the second waits for the next pass",
			src:  "FROM debian\nRUN apt-get install curl\n",
			rules: []*transform.Transformer{
				// Both rewrite "install curl"; "y" starts earlier and wins the
				// first pass, "wget" is applied on the second.
				replace("wget", "", `curl\n`, "curl wget\n", transform.Safe),
				replace("y", "", `install curl`, "install -y curl", transform.Safe),
			},
			out:      "FROM debian\nRUN apt-get install -y curl wget\n",
			findings: "2:13-2:25 y 2:21-2:26 wget",
			fixed:    2,
			passes:   3,
		},
		{
			name: "identical edits coalesce",
			src:  "FROM alpine:latest\n",
			rules: []*transform.Transformer{
				replace("a", "", `:latest`, ":3.19", transform.Safe),
				replace("b", "", `:latest`, ":3.19", transform.Safe),
			},
			out:      "FROM alpine:3.19\n",
			findings: "1:12-1:19 a 1:12-1:19 b",
			fixed:    2,
			passes:   2,
		},
		{
			name:     "a fix per pass until done",
			src:      "FROM a\nRUN x x x\n",
			rules:    []*transform.Transformer{firstOnly("one", "x", "y")},
			out:      "FROM a\nRUN y y y\n",
			findings: "2:5-2:6 one",
			fixed:    3,
			passes:   4,
		},
		{
			name:     "a fix that changes nothing ends the loop",
			src:      "FROM alpine\n",
			rules:    []*transform.Transformer{replace("same", "", `alpine`, "alpine", transform.Safe)},
			findings: "1:6-1:12 same",
			// The finding remains: its fix is a no-op.
			remaining: "1:6-1:12 same",
			passes:    1,
		},
		{
			name: "a file that fails instructions.Parse may still be fixed",
			src:  "FROM alpine:latest\nCOPY --from /a /b\n",
			rules: []*transform.Transformer{
				replace("tag", "", `:latest`, ":3.19", transform.Safe),
			},
			out:      "FROM alpine:3.19\nCOPY --from /a /b\n",
			findings: "1:12-1:19 tag",
			fixed:    1,
			passes:   2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			opts := tt.opts
			opts.Transformers = tt.rules
			if err := transform.Validate(tt.rules); err != nil {
				t.Fatal(err)
			}
			res := run(t, tt.src, opts)
			want := tt.out
			if want == "" {
				want = tt.src
			}
			if string(res.Output) != want {
				t.Errorf("output\n%s\nwant\n%s", res.Output, want)
			}
			if string(res.Input) != tt.src {
				t.Errorf("Input changed to %q", res.Input)
			}
			if res.Changed() != (tt.out != "") {
				t.Errorf("Changed() = %v", res.Changed())
			}
			if got := summary(res.Findings); got != tt.findings {
				t.Errorf("findings %q, want %q", got, tt.findings)
			}
			if got := summary(res.Remaining); got != tt.remaining {
				t.Errorf("remaining %q, want %q", got, tt.remaining)
			}
			if res.Fixed != tt.fixed || res.Passes != tt.passes {
				t.Errorf("Fixed = %d, Passes = %d; want %d, %d", res.Fixed, res.Passes, tt.fixed, tt.passes)
			}
			for _, f := range res.Findings {
				if f.Path != "Dockerfile" {
					t.Errorf("finding path %q", f.Path)
				}
			}
		})
	}
}

// firstOnly is a rule that reports only the first occurrence of old, so
// that fixing every occurrence takes one pass each.
func firstOnly(name, old, new string) *transform.Transformer {
	return rule(name, func(p *transform.Pass) error {
		i := strings.Index(string(p.File.Data), old)
		if i < 0 {
			return nil
		}
		p.Report(transform.Finding{Start: i, End: i + len(old), Message: name,
			Fix: &transform.Fix{Message: "replace", Edits: []transform.Edit{{Start: i, End: i + len(old), New: new}}}})
		return nil
	})
}

func TestMaxPasses(t *testing.T) {
	xs := func(n int) string { return "FROM a\nRUN" + strings.Repeat(" x", n) + "\n" }
	opts := engine.Options{Transformers: []*transform.Transformer{firstOnly("one", "x", "y")}}
	// Passes count analyses: n fixes need n+1 passes, the last one finding
	// nothing.
	res := run(t, xs(engine.DefaultMaxPasses-1), opts)
	if res.Passes != engine.DefaultMaxPasses || res.Fixed != engine.DefaultMaxPasses-1 {
		t.Errorf("Passes = %d, Fixed = %d", res.Passes, res.Fixed)
	}
	_, err := engine.Run(context.Background(), "Dockerfile", []byte(xs(engine.DefaultMaxPasses)), opts)
	if !errors.Is(err, engine.ErrNotConverged) {
		t.Errorf("%d fixes: err = %v, want ErrNotConverged", engine.DefaultMaxPasses, err)
	}
	opts.MaxPasses = 3
	if _, err := engine.Run(context.Background(), "Dockerfile", []byte(xs(2)), opts); err != nil {
		t.Errorf("2 fixes in 3 passes: %v", err)
	}
	if _, err := engine.Run(context.Background(), "Dockerfile", []byte(xs(3)), opts); !errors.Is(err, engine.ErrNotConverged) {
		t.Errorf("3 fixes in 3 passes: err = %v, want ErrNotConverged", err)
	}
}

func TestRunErrors(t *testing.T) {
	appendX := rule("grow", func(p *transform.Pass) error {
		n := len(p.File.Data)
		p.Report(transform.Finding{Start: n, End: n, Message: "grow",
			Fix: &transform.Fix{Edits: []transform.Edit{{Start: n, End: n, New: "RUN x\n"}}}})
		return nil
	})
	tests := []struct {
		name  string
		src   string
		rules []*transform.Transformer
		is    error    // errors.Is target, if any
		msgs  []string // substrings of the error
	}{
		{
			name:  "never converges",
			src:   "FROM a\n",
			rules: []*transform.Transformer{appendX},
			is:    engine.ErrNotConverged,
			msgs:  []string{"Dockerfile:", "after 10 passes", "grow", "file left unchanged"},
		},
		{
			name: "two rules undo each other",
			src:  "FROM a\nRUN x\n",
			rules: []*transform.Transformer{
				replace("tox", "", `RUN y`, "RUN x", transform.Safe),
				replace("toy", "", `RUN x`, "RUN y", transform.Safe),
			},
			is:   engine.ErrNotConverged,
			msgs: []string{"tox", "toy"},
		},
		{
			name:  "fix makes the file unparsable",
			src:   "FROM a\nRUN x\n",
			rules: []*transform.Transformer{replace("heredoc", "", `RUN x`, "RUN <<EOF", transform.Safe)},
			msgs:  []string{"Dockerfile:", "fixes by heredoc made the file unparsable", "unterminated heredoc", "file left unchanged"},
		},
		{
			name:  "fix makes instructions.Parse fail",
			src:   "FROM alpine\n",
			rules: []*transform.Transformer{replace("args", "", `alpine`, "alpine extra", transform.Safe)},
			msgs:  []string{"fixes by args made the file invalid", "FROM requires either one or three arguments"},
		},
		{
			name:  "panicking rule",
			src:   "FROM a\n",
			rules: []*transform.Transformer{rule("boom", func(*transform.Pass) error { panic("kaboom") })},
			msgs:  []string{"Dockerfile: rule boom: internal error: kaboom"},
		},
		{
			name: "rule returning an error",
			src:  "FROM a\n",
			rules: []*transform.Transformer{rule("fails", func(*transform.Pass) error {
				return errors.New("cannot decide")
			})},
			msgs: []string{"Dockerfile: rule fails: cannot decide"},
		},
		{
			name: "edit out of bounds",
			src:  "FROM a\n",
			rules: []*transform.Transformer{rule("oob", func(p *transform.Pass) error {
				p.Report(transform.Finding{Message: "x", Fix: &transform.Fix{Edits: []transform.Edit{{Start: 5, End: 99}}}})
				return nil
			})},
			msgs: []string{"rule oob: edit", "out of bounds"},
		},
		{
			name: "overlapping edits in one fix",
			src:  "FROM alpine\n",
			rules: []*transform.Transformer{rule("overlap", func(p *transform.Pass) error {
				p.Report(transform.Finding{Message: "x", Fix: &transform.Fix{Edits: []transform.Edit{
					{Start: 5, End: 8, New: "a"}, {Start: 7, End: 9, New: "b"}}}})
				return nil
			})},
			msgs: []string{"Dockerfile: rule overlap: the edits of one fix overlap"},
		},
		{
			name: "two insertions at one offset in one fix",
			src:  "FROM alpine\n",
			rules: []*transform.Transformer{rule("twice", func(p *transform.Pass) error {
				p.Report(transform.Finding{Message: "x", Fix: &transform.Fix{Edits: []transform.Edit{
					{Start: 5, End: 5, New: "a"}, {Start: 5, End: 5, New: "b"}}}})
				return nil
			})},
			msgs: []string{"rule twice: the edits of one fix overlap"},
		},
		{
			name:  "input does not parse",
			src:   "FROM a\nRUN <<EOF\n",
			rules: []*transform.Transformer{appendX},
			msgs:  []string{"Dockerfile:2: unterminated heredoc"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			input := []byte(tt.src)
			res, err := engine.Run(context.Background(), "Dockerfile", input, engine.Options{Transformers: tt.rules})
			if string(input) != tt.src {
				t.Errorf("the input bytes were modified: %q", input)
			}
			if err == nil {
				t.Fatalf("no error; output %q", res.Output)
			}
			if res != nil {
				t.Errorf("a result came with the error: %q", res.Output)
			}
			if tt.is != nil && !errors.Is(err, tt.is) {
				t.Errorf("error %v is not %v", err, tt.is)
			}
			for _, m := range tt.msgs {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
		})
	}
}

// TestInvalidInput checks that a file that already fails buildkit's
// instruction checks is still fixed, over several passes: only a file
// that passes them must keep passing.
func TestInvalidInput(t *testing.T) {
	src := "FROM alpine other\nRUN x x\n"
	opts := engine.Options{Transformers: []*transform.Transformer{firstOnly("one", "x", "y")}}
	res := run(t, src, opts)
	if want := "FROM alpine other\nRUN y y\n"; string(res.Output) != want || res.Passes != 3 {
		t.Errorf("output %q after %d passes, want %q after 3", res.Output, res.Passes, want)
	}
}

func TestRunInputErrorType(t *testing.T) {
	_, err := engine.Run(context.Background(), "x/Dockerfile", []byte("# only a comment\n"), engine.Options{})
	var se *source.Error
	if !errors.As(err, &se) || se.Path != "x/Dockerfile" {
		t.Errorf("error %v (%T) is not a *source.Error for x/Dockerfile", err, err)
	}
}

func TestRunCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := engine.Run(ctx, "Dockerfile", []byte("FROM a\n"), engine.Options{})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	// A rule sees the run's context.
	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	seen := rule("ctx", func(p *transform.Pass) error {
		if p.Context != ctx || p.Transformer.Name != "ctx" {
			return errors.New("wrong pass")
		}
		return nil
	})
	if _, err := engine.Run(ctx, "Dockerfile", []byte("FROM a\n"), engine.Options{Transformers: []*transform.Transformer{seen}}); err != nil {
		t.Error(err)
	}
}

func TestSuppression(t *testing.T) {
	// Every test file has the same two findings on its last instruction:
	// rule "apt" (code DL3009) and rule "tag" (no code).
	rules := []*transform.Transformer{
		replace("apt", "DL3009", `apt-get install ([a-z])`, "apt-get install -y $1", transform.Safe),
		report("tag", "", `alpine`),
	}
	tests := []struct {
		name    string
		comment string // lines between "FROM x\n" and the instruction
		inst    string
		kept    string // rules still reported
	}{
		{"no pragma", "", "RUN apt-get install alpine\n", "apt tag"},
		{"dockmend ignore=rule", "# dockmend ignore=apt\n", "RUN apt-get install alpine\n", "tag"},
		{"dockmend ignore=a,b", "# dockmend ignore=apt,tag\n", "RUN apt-get install alpine\n", ""},
		{"spaces in the list", "#   dockmend   ignore = tag , apt\n", "RUN apt-get install alpine\n", ""},
		{"dockmend ignore=all", "# dockmend ignore=all\n", "RUN apt-get install alpine\n", ""},
		{"dockmend: another rule", "# dockmend ignore=other\n", "RUN apt-get install alpine\n", "apt tag"},
		{"dockmend ignore=code", "# dockmend ignore=DL3009\n", "RUN apt-get install alpine\n", "tag"},
		{"dockmend ignore=code, lower case", "# dockmend ignore=dl3009\n", "RUN apt-get install alpine\n", "tag"},
		{"hadolint ignore=code", "# hadolint ignore=DL3009\n", "RUN apt-get install alpine\n", "tag"},
		{"hadolint code list", "# hadolint ignore=DL3008,DL3009\n", "RUN apt-get install alpine\n", "tag"},
		{"hadolint: another code", "# hadolint ignore=DL3008\n", "RUN apt-get install alpine\n", "apt tag"},
		{"hadolint does not match rule names", "# hadolint ignore=apt\n", "RUN apt-get install alpine\n", "apt tag"},
		{"two comment lines above", "# dockmend ignore=tag\n# install things\n", "RUN apt-get install alpine\n", "apt"},
		{"both pragmas", "# hadolint ignore=DL3009\n# dockmend ignore=tag\n", "RUN apt-get install alpine\n", ""},
		{"a blank line breaks it", "# dockmend ignore=tag\n\n", "RUN apt-get install alpine\n", "apt tag"},
		{"an instruction breaks it", "# dockmend ignore=tag\nENV A=1\n", "RUN apt-get install alpine\n", "apt tag"},
		{"indented pragma", "   # dockmend ignore=tag\n", "RUN apt-get install alpine\n", "apt"},
		{"CRLF", "# dockmend ignore=tag\r\n", "RUN apt-get install alpine\r\n", "apt"},
		{"finding on a continuation line", "# dockmend ignore=tag\n", "RUN apt-get install curl \\\n  alpine\n", "apt"},
		{"finding after a comment inside the instruction", "# dockmend ignore=tag\n", "RUN apt-get install curl \\\n  # note\n  alpine\n", "apt"},
		{"not a pragma", "# dockmend ignores=tag\n", "RUN apt-get install alpine\n", "apt tag"},
		{"a comment after the list", "# hadolint ignore=DL3009 # we want the lists\n", "RUN apt-get install alpine\n", "tag"},
		{"a comment after the list, no space", "# dockmend ignore=tag,apt# both\n", "RUN apt-get install alpine\n", ""},
		{"global pragma, above", "# hadolint global ignore=DL3009\nENV A=1\n\n", "RUN apt-get install alpine\n", "tag"},
		{"global pragma, dockmend", "# dockmend global ignore=tag\nENV A=1\n", "RUN apt-get install alpine\n", "apt"},
		{"global pragma, below", "", "RUN apt-get install alpine\n# dockmend global ignore=all\n", ""},
		{"global pragma is not an inline one", "# hadolint global ignore=DL3008\n", "RUN apt-get install alpine\n", "apt tag"},
		{"global pragma inside an instruction", "", "RUN apt-get install alpine \\\n# hadolint global ignore=DL3009\n  x\n", "apt tag"},
		{"global pragma in a heredoc", "", "RUN <<EOF\napt-get install alpine\n# dockmend global ignore=all\nEOF\n", "apt tag"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src := "FROM x\n" + tt.comment + tt.inst
			res := run(t, src, engine.Options{Transformers: rules, NoFix: true})
			var kept []string
			for _, f := range res.Findings {
				kept = append(kept, f.Rule)
			}
			if got := strings.Join(kept, " "); got != tt.kept {
				t.Errorf("findings %q, want %q", got, tt.kept)
			}
		})
	}
	// A suppressed fix is not applied.
	src := "FROM x\n# dockmend ignore=apt\nRUN apt-get install curl\nRUN apt-get install git\n"
	res := run(t, src, engine.Options{Transformers: rules[:1]})
	want := "FROM x\n# dockmend ignore=apt\nRUN apt-get install curl\nRUN apt-get install -y git\n"
	if string(res.Output) != want {
		t.Errorf("output\n%s\nwant\n%s", res.Output, want)
	}
}

// TestDeterminism runs rules that report in a different order every time,
// with conflicting fixes at equal positions, and expects the same output
// and the same findings every run.
func TestDeterminism(t *testing.T) {
	src := "FROM alpine:latest AS a\nRUN apk add curl git\nFROM debian:latest\nRUN apt-get install vim\n"
	shuffled := func(name string, edits map[string]string) *transform.Transformer {
		return rule(name, func(p *transform.Pass) error {
			var fs []transform.Finding
			for old, new := range edits { // map order varies
				for _, m := range regexp.MustCompile(regexp.QuoteMeta(old)).FindAllIndex(p.File.Data, -1) {
					fs = append(fs, transform.Finding{Start: m[0], End: m[1], Message: name + " " + new,
						Fix: &transform.Fix{Edits: []transform.Edit{{Start: m[0], End: m[1], New: new}}}})
				}
			}
			rand.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
			for _, f := range fs {
				p.Report(f)
			}
			return nil
		})
	}
	rules := []*transform.Transformer{
		shuffled("one", map[string]string{":latest": ":1", "curl": "wget", "vim": "nano"}),
		// Same ranges, other replacements: conflicts with "one".
		shuffled("two", map[string]string{":latest": ":2", "curl": "httpie", "git": "hg"}),
		shuffled("three", map[string]string{":latest": ":3", "apk add": "apk-add"}),
	}
	// Alternatives for the same range from one rule: only the order of
	// reporting tells them apart.
	alternatives := rule("alt", func(p *transform.Pass) error {
		var fs []transform.Finding
		for _, m := range regexp.MustCompile(`:latest`).FindAllIndex(p.File.Data, -1) {
			for _, tag := range []string{":a", ":b", ":c"} {
				fs = append(fs, transform.Finding{Start: m[0], End: m[1], Message: "pin",
					Fix: &transform.Fix{Edits: []transform.Edit{{Start: m[0], End: m[1], New: tag}}}})
			}
		}
		rand.Shuffle(len(fs), func(i, j int) { fs[i], fs[j] = fs[j], fs[i] })
		for _, f := range fs {
			p.Report(f)
		}
		return nil
	})
	for _, rules := range [][]*transform.Transformer{rules, {alternatives}} {
		var first *engine.Result
		for i := 0; i < 20; i++ {
			res := run(t, src, engine.Options{Transformers: rules, MaxPasses: 50})
			if first == nil {
				first = res
				continue
			}
			if string(res.Output) != string(first.Output) {
				t.Fatalf("run %d: output\n%s\ndiffers from the first run's\n%s", i, res.Output, first.Output)
			}
			if got, want := messages(res.Findings), messages(first.Findings); got != want {
				t.Fatalf("run %d: findings\n%s\ndiffer from the first run's\n%s", i, got, want)
			}
			if res.Fixed != first.Fixed || res.Passes != first.Passes {
				t.Fatalf("run %d: Fixed %d Passes %d, first run %d %d", i, res.Fixed, res.Passes, first.Fixed, first.Passes)
			}
		}
	}
}

func messages(fs []engine.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d-%d %s: %s\n", f.Start, f.End, f.Rule, f.Message)
	}
	return b.String()
}

func TestFixable(t *testing.T) {
	safe := engine.Finding{Finding: transform.Finding{Fix: &transform.Fix{Applicability: transform.Safe}}}
	unsafe := engine.Finding{Finding: transform.Finding{Fix: &transform.Fix{Applicability: transform.Unsafe}}}
	none := engine.Finding{}
	for _, tt := range []struct {
		f         engine.Finding
		allowUnsf bool
		want      bool
	}{
		{safe, false, true}, {safe, true, true},
		{unsafe, false, false}, {unsafe, true, true},
		{none, false, false}, {none, true, false},
	} {
		if got := tt.f.Fixable(tt.allowUnsf); got != tt.want {
			t.Errorf("Fixable(%v) on %+v = %v", tt.allowUnsf, tt.f.Fix, got)
		}
	}
}

// TestIsolatedFix checks that an isolated fix is applied alone, ahead of
// the fixes before it, and that the other rules then fix what it made.
func TestIsolatedFix(t *testing.T) {
	// split turns "FROM a" into two stages, as multistage does; final
	// changes "RUN x" in the last stage only, as a rule that cares about
	// what reaches the image does; tidy names stages that are not the
	// last.
	split := rule("split", func(p *transform.Pass) error {
		if len(p.File.Stages) != 1 {
			return nil
		}
		p.Report(transform.Finding{Start: 0, End: 4, Message: "split",
			Fix: &transform.Fix{Message: "split", Isolated: true, Edits: []transform.Edit{{Start: len(p.File.Data), End: len(p.File.Data), New: "FROM b\n"}}}})
		return nil
	})
	final := rule("final", func(p *transform.Pass) error {
		last := p.File.Stages[len(p.File.Stages)-1]
		for _, in := range last.Instructions {
			if in.Is("RUN") && in.Args() == "x" {
				p.Report(transform.Finding{Start: in.Start, End: in.End, Message: "final",
					Fix: &transform.Fix{Message: "final", Edits: []transform.Edit{{Start: in.End, End: in.End, New: "-final"}}}})
			}
		}
		return nil
	})
	tidy := rule("tidy", func(p *transform.Pass) error {
		for _, s := range p.File.Stages[:len(p.File.Stages)-1] {
			if s.Name != "" {
				continue
			}
			p.Report(transform.Finding{Start: s.From.Start, End: s.From.End, Message: "not the last stage",
				Fix: &transform.Fix{Message: "mark", Edits: []transform.Edit{{Start: s.From.Start + 6, End: s.From.Start + 6, New: " AS first"}}}})
		}
		return nil
	})
	res := run(t, "FROM a\nRUN x\n", engine.Options{Transformers: []*transform.Transformer{final, tidy, split}})
	if want := "FROM a AS first\nRUN x\nFROM b\n"; string(res.Output) != want {
		t.Errorf("output %q, want %q", res.Output, want)
	}
	// Pass 1 splits alone (final waits, and then has nothing to do), pass
	// 2 names the first stage, pass 3 finds nothing.
	if res.Passes != 3 || res.FixedByRule["split"] != 1 || res.FixedByRule["final"] != 0 || res.FixedByRule["tidy"] != 1 {
		t.Errorf("passes %d, fixed %v", res.Passes, res.FixedByRule)
	}
}

// TestUnsafeRules checks that UnsafeRules limits the unsafe fixes to the
// named rules, keeps every safe fix, and that UnsafeByRule counts only the
// unsafe fixes applied, over several passes.
func TestUnsafeRules(t *testing.T) {
	ts := []*transform.Transformer{
		replace("tidy", "", `apt `, "apt-get ", transform.Safe),
		replace("norec", "", `install -y (\w+)\n`, "install -y --no-recommends $1\n", transform.Unsafe),
		// split only fires once tidy has run: its fix waits for pass 2.
		replace("split", "", `(?m)^RUN apt-get (.*)\nCMD`, "RUN apt-get $1\nFROM scratch\nCMD", transform.Unsafe),
	}
	src := "FROM x\nRUN apt install -y curl\nCMD [\"curl\"]\n"
	for _, tt := range []struct {
		name   string
		rules  []string
		unsafe bool
		want   string
		byRule map[string]int
	}{
		{"all unsafe", nil, true, "FROM x\nRUN apt-get install -y --no-recommends curl\nFROM scratch\nCMD [\"curl\"]\n", map[string]int{"norec": 1, "split": 1}},
		{"only norec", []string{"norec"}, true, "FROM x\nRUN apt-get install -y --no-recommends curl\nCMD [\"curl\"]\n", map[string]int{"norec": 1}},
		{"only split", []string{"split"}, true, "FROM x\nRUN apt-get install -y curl\nFROM scratch\nCMD [\"curl\"]\n", map[string]int{"split": 1}},
		{"none of them", []string{}, true, "FROM x\nRUN apt-get install -y curl\nCMD [\"curl\"]\n", nil},
		{"without UnsafeFixes", []string{"norec"}, false, "FROM x\nRUN apt-get install -y curl\nCMD [\"curl\"]\n", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			res := run(t, src, engine.Options{Transformers: ts, UnsafeFixes: tt.unsafe, UnsafeRules: tt.rules})
			if got := string(res.Output); got != tt.want {
				t.Errorf("output:\n%s\nwant:\n%s", got, tt.want)
			}
			if fmt.Sprint(res.UnsafeByRule) != fmt.Sprint(tt.byRule) {
				t.Errorf("UnsafeByRule = %v, want %v", res.UnsafeByRule, tt.byRule)
			}
			if res.FixedByRule["tidy"] != 1 {
				t.Errorf("FixedByRule = %v, want tidy: 1", res.FixedByRule)
			}
		})
	}
}

// TestRunCancelledBetweenRules cancels the run from inside a rule: the
// rules after it do not run.
func TestRunCancelledBetweenRules(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	ran := false
	rules := []*transform.Transformer{
		rule("first", func(*transform.Pass) error { cancel(); return nil }),
		rule("second", func(*transform.Pass) error { ran = true; return nil }),
	}
	_, err := engine.Run(ctx, "Dockerfile", []byte("FROM a\n"), engine.Options{Transformers: rules})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if ran {
		t.Error("the rule after the cancellation ran")
	}
}

// suppressedByScan is the definition of suppression: the comment lines
// directly above the instruction holding the finding (or above the
// finding's line, outside instructions) name its rule or code.
func suppressedByScan(f *source.File, rule, code string, off int) bool {
	line, _ := f.Position(off)
	for _, in := range f.Instructions {
		if in.StartLine <= line && line <= in.EndLine {
			line = in.StartLine
			break
		}
	}
	for l := line - 1; l >= 1; l-- {
		text := strings.TrimSpace(f.LineText(l))
		if !strings.HasPrefix(text, "#") {
			return false
		}
		fields := strings.Fields(strings.TrimPrefix(text, "#"))
		if len(fields) < 2 {
			continue
		}
		tool := strings.ToLower(fields[0])
		list, ok := strings.CutPrefix(strings.Join(fields[1:], ""), "ignore=")
		if !ok {
			continue
		}
		for _, id := range strings.Split(list, ",") {
			id = strings.TrimSpace(id)
			id, _, _ = strings.Cut(id, "#")
			if (tool == "dockmend" && (id == rule || id == "all")) || (code != "" && strings.EqualFold(id, code)) {
				return true
			}
		}
	}
	return false
}

// TestSuppressionMatchesScan compares the engine's suppression with
// suppressedByScan on random files, with findings on every line.
func TestSuppressionMatchesScan(t *testing.T) {
	pieces := []string{
		"# dockmend ignore=a\n", "# dockmend ignore=b,all\n", "# hadolint ignore=DL3000\n", "# hadolint ignore=dl3001\n",
		"# a comment\n", "\n", "RUN x \\\n  y\n", "RUN x \\\n# inside\n  y\n", "RUN z\n", "  # indented\n", "ENV A=1\n",
	}
	// The rule reports, at the start of every line, one finding of rule
	// "a" with code DL3000 and one of rule "b" with code DL3001.
	mk := func(name, code string) *transform.Transformer {
		return rule(name, func(p *transform.Pass) error {
			for off := 0; off < len(p.File.Data); off++ {
				if off == 0 || p.File.Data[off-1] == '\n' {
					p.Report(transform.Finding{Code: code, Start: off, End: off, Message: name})
				}
			}
			return nil
		})
	}
	rules := []*transform.Transformer{mk("a", "DL3000"), mk("b", "DL3001")}
	r := rand.New(rand.NewPCG(3, 4))
	for iter := range 500 {
		var b strings.Builder
		b.WriteString("FROM x\n")
		for range r.IntN(12) {
			b.WriteString(pieces[r.IntN(len(pieces))])
		}
		src := b.String()
		f, err := source.Parse("Dockerfile", []byte(src))
		if err != nil {
			continue
		}
		res := run(t, src, engine.Options{Transformers: rules, NoFix: true})
		kept := map[string]bool{}
		for _, fd := range res.Findings {
			kept[fmt.Sprintf("%s@%d", fd.Rule, fd.Start)] = true
		}
		for off := 0; off < len(f.Data); off++ {
			if off > 0 && f.Data[off-1] != '\n' {
				continue
			}
			for _, rc := range [][2]string{{"a", "DL3000"}, {"b", "DL3001"}} {
				want := !suppressedByScan(f, rc[0], rc[1], off)
				if got := kept[fmt.Sprintf("%s@%d", rc[0], off)]; got != want {
					t.Fatalf("iteration %d: finding of %s at offset %d kept = %v, want %v\n%s", iter, rc[0], off, got, want, src)
				}
			}
		}
	}
}

// TestChecksAndLevels narrows rules to some of their checks, drops checks,
// and grades findings: by the rule, by the finding, and overridden by rule
// name or check id.
func TestChecksAndLevels(t *testing.T) {
	apt := replace("apt", "DL3014", `apt-get install ([a-z])`, "apt-get install -y $1", transform.Safe)
	apt.Level, apt.Levels, apt.Fixes = severity.Warning, map[string]severity.Level{"DL3009": severity.Info}, []string{"DL3009", "DL3014"}
	lists := report("apt", "DL3009", `curl`)
	lone := report("apt", "", `update`)
	both := rule("apt", func(p *transform.Pass) error {
		for _, r := range []*transform.Transformer{apt, lists, lone} {
			if err := r.Run(p); err != nil {
				return err
			}
		}
		return nil
	})
	both.Level, both.Levels, both.Fixes = apt.Level, apt.Levels, apt.Fixes
	graded := rule("pin", func(p *transform.Pass) error {
		p.Report(transform.Finding{Start: 0, End: 4, Message: "failed", Level: severity.Error})
		p.Report(transform.Finding{Start: 0, End: 4, Message: "plain"})
		return nil
	})
	const src = "FROM x\nRUN apt-get update && apt-get install curl\n"
	tests := []struct {
		name   string
		opts   engine.Options
		want   string // rule[code]=level of each finding
		output string // "" for unchanged
	}{
		{"everything", engine.Options{}, "pin=error pin=warning apt=warning apt[DL3014]=warning apt[DL3009]=info", "FROM x\nRUN apt-get update && apt-get install -y curl\n"},
		{"a check alone", engine.Options{Checks: map[string][]string{"apt": {"dl3009"}}}, "pin=error pin=warning apt[DL3009]=info", ""},
		{"a check ignored", engine.Options{IgnoreChecks: []string{"DL3014"}}, "pin=error pin=warning apt=warning apt[DL3009]=info", ""},
		{"levels by rule and code", engine.Options{Levels: map[string]severity.Level{"apt": severity.Style, "DL3009": severity.Error, "pin": severity.Info}},
			"pin=info pin=info apt=style apt[DL3014]=style apt[DL3009]=error", "FROM x\nRUN apt-get update && apt-get install -y curl\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.opts.Transformers = []*transform.Transformer{graded, both}
			res := run(t, src, tt.opts)
			var got []string
			for _, f := range res.Findings {
				id := f.Rule
				if f.Code != "" {
					id += "[" + f.Code + "]"
				}
				got = append(got, id+"="+f.Level.String())
			}
			if g := strings.Join(got, " "); g != tt.want {
				t.Errorf("findings %s, want %s", g, tt.want)
			}
			want := tt.output
			if want == "" {
				want = src
			}
			if string(res.Output) != want {
				t.Errorf("output %q, want %q", res.Output, want)
			}
		})
	}
}
