package transform

import (
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/severity"
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
		{"level of a check it does not fix", []*Transformer{{Name: "x", Doc: "x: y", Run: run, Levels: map[string]severity.Level{"DL3009": severity.Info}}}, "not among its Fixes"},
		{"no level for a check", []*Transformer{{Name: "x", Doc: "x: y", Run: run, Fixes: []string{"DL3009"}, Levels: map[string]severity.Level{"DL3009": severity.None}}}, "not error, warning"},
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

func TestLevels(t *testing.T) {
	plain := &Transformer{Name: "x"}
	apt := &Transformer{Name: "apt", Level: severity.Warning, Fixes: []string{"DL3009", "DL3014", "DL3015", "DL3027"},
		Levels: map[string]severity.Level{"DL3009": severity.Info, "DL3015": severity.Info, "DL3027": severity.Error, "DL3014": severity.Warning}}
	tests := []struct {
		t    *Transformer
		code string
		want severity.Level
	}{
		{plain, "", severity.Warning},
		{plain, "DL3009", severity.Warning},
		{apt, "", severity.Warning},
		{apt, "DL3009", severity.Info},
		{apt, "DL3014", severity.Warning},
		{apt, "DL9999", severity.Warning},
	}
	for _, tt := range tests {
		if got := tt.t.LevelOf(tt.code); got != tt.want {
			t.Errorf("%s.LevelOf(%q) = %v, want %v", tt.t.Name, tt.code, got, tt.want)
		}
	}
	if got, want := plain.LevelDoc(), "Level: warning."; got != want {
		t.Errorf("LevelDoc = %q, want %q", got, want)
	}
	if got, want := apt.LevelDoc(), "Level: warning; DL3027: error; DL3009, DL3015: info."; got != want {
		t.Errorf("LevelDoc = %q, want %q", got, want)
	}
}
