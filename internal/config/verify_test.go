package config

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestShellWords(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want []string
		err  string
	}{
		{"", []string{}, ""},
		{"hello --version", []string{"hello", "--version"}, ""},
		{`sh -c 'echo "$HOME" | wc -c'`, []string{"sh", "-c", `echo "$HOME" | wc -c`}, ""},
		{`say "two words" a\ b`, []string{"say", "two words", "a b"}, ""},
		{"echo $HOME", nil, "expands at run time"},
		{"a | b", nil, "simple command only"},
		{"a; b", nil, "one command only"},
		{"a > out", nil, "simple command only"},
		{"'unclosed", nil, "reached EOF"},
	} {
		got, err := ShellWords(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ShellWords(%q) error = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !slices.Equal(got, tt.want) || got == nil {
			t.Errorf("ShellWords(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestVerifyFor(t *testing.T) {
	dir := t.TempDir()
	c, err := Parse(filepath.Join(dir, FileName), []byte(`verify:
  Dockerfile:
    smoke: hello --version
  services/*/Dockerfile:
    smoke: ""
    context: services
    target: runtime
    build-args: {VERSION: "1.2"}
`))
	if err != nil {
		t.Fatal(err)
	}
	v := c.VerifyFor(filepath.Join(dir, "Dockerfile"))
	if args, ok := v.SmokeArgs(); !ok || !slices.Equal(args, []string{"hello", "--version"}) {
		t.Errorf("Dockerfile: smoke %q, %v", args, ok)
	}
	v = c.VerifyFor(filepath.Join(dir, "services", "api", "Dockerfile"))
	if args, ok := v.SmokeArgs(); !ok || len(args) != 0 || v.Context != filepath.Join(dir, "services") || v.Target != "runtime" || v.BuildArgs["VERSION"] != "1.2" {
		t.Errorf("services/api/Dockerfile: %+v, smoke %q %v", v, args, ok)
	}
	if v := c.VerifyFor(filepath.Join(dir, "other", "Dockerfile")); v != nil {
		t.Errorf("other/Dockerfile: %+v, want none", v)
	}
	if _, ok := (*Verify)(nil).SmokeArgs(); ok {
		t.Error("nil Verify has a smoke command")
	}
}

func TestVerifyErrors(t *testing.T) {
	for _, tt := range []struct{ yaml, want string }{
		{"verify:\n  Dockerfile:\n    smoke: echo $HOME\n", ".dockmend.yaml:1: verify: Dockerfile: smoke: \"$HOME\" expands at run time"},
		{"verify:\n  Dockerfile:\n    smok: x\n", "unknown key \"smok\""},
		{"verify:\n  \"[\":\n    smoke: x\n", "syntax error in pattern"},
		{"verify:\n  Dockerfile:\n    build-args: {\"A=B\": x}\n", "build-args: \"A=B\" is not an ARG name"},
	} {
		_, err := Parse(FileName, []byte(tt.yaml))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want %q", tt.yaml, err, tt.want)
		}
	}
}
