package transform

import (
	"strings"
	"testing"
)

func TestValidate(t *testing.T) {
	run := func(*Pass) error { return nil }
	ok := &Transformer{Name: "apt", Doc: "apt: clean apt", Run: run, Fixes: []string{"DL3009", "JSONArgsRecommended"}}
	tests := []struct {
		name string
		ts   []*Transformer
		want string // substring of the error, "" for none
	}{
		{"valid", []*Transformer{ok}, ""},
		{"bad name", []*Transformer{{Name: "Apt", Doc: "Apt: x", Run: run}}, "not a lower-case identifier"},
		{"duplicate", []*Transformer{ok, ok}, "duplicate name"},
		{"no doc", []*Transformer{{Name: "x", Run: run}}, "Doc must start"},
		{"doc without summary", []*Transformer{{Name: "x", Doc: "x: ", Run: run}}, "Doc must start"},
		{"no run", []*Transformer{{Name: "x", Doc: "x: y"}}, "Run is nil"},
		{"bad code", []*Transformer{{Name: "x", Doc: "x: y", Run: run, Fixes: []string{"dl3009"}}}, "check id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Validate(tt.ts)
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("unexpected error: %v", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("error = %v, want it to contain %q", err, tt.want)
			}
		})
	}
}

func TestMustExtractDoc(t *testing.T) {
	src := `// Package apt does things.
//
// # Transformer apt
//
// apt: clean apt
//
// Longer text.
//
//	indented example
//
// # Other section
//
// not this
package apt
`
	got := MustExtractDoc(src, "apt")
	want := "apt: clean apt\n\nLonger text.\n\n\tindented example"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	tr := &Transformer{Name: "apt", Doc: got}
	if s := tr.Summary(); s != "clean apt" {
		t.Errorf("Summary = %q", s)
	}
	defer func() {
		if recover() == nil {
			t.Error("MustExtractDoc did not panic on a missing section")
		}
	}()
	MustExtractDoc(src, "pip")
}

func TestApplicabilityString(t *testing.T) {
	if Safe.String() != "safe" || Unsafe.String() != "unsafe" {
		t.Errorf("got %s, %s", Safe, Unsafe)
	}
}
