package ruleset

import (
	"strings"
	"testing"

	"github.com/dockmend/dockmend/transform"
)

func TestAllValid(t *testing.T) {
	all := All(Config{})
	if len(all) == 0 {
		t.Fatal("no transformers registered")
	}
	if err := transform.Validate(all); err != nil {
		t.Fatal(err)
	}
}

func names(ts []*transform.Transformer) string {
	var n []string
	for _, t := range ts {
		n = append(n, t.Name)
	}
	return strings.Join(n, ",")
}

func TestSelect(t *testing.T) {
	all := []*transform.Transformer{
		{Name: "a", Default: true},
		{Name: "b", Default: false},
		{Name: "c", Default: true},
	}
	tests := []struct {
		sel, ign []string
		want     string
		err      bool
	}{
		{nil, nil, "a,c", false},
		{[]string{"b"}, nil, "b", false},
		{[]string{"all"}, nil, "a,b,c", false},
		{[]string{"all"}, []string{"a"}, "b,c", false},
		{nil, []string{"c"}, "a", false},
		{[]string{"c", "a"}, nil, "a,c", false}, // registry order, not flag order
		{[]string{"nope"}, nil, "", true},
		{nil, []string{"nope"}, "", true},
	}
	for _, tt := range tests {
		got, err := Select(all, tt.sel, tt.ign)
		if (err != nil) != tt.err {
			t.Errorf("Select(%v, %v) err = %v", tt.sel, tt.ign, err)
			continue
		}
		if err == nil && names(got) != tt.want {
			t.Errorf("Select(%v, %v) = %s, want %s", tt.sel, tt.ign, names(got), tt.want)
		}
	}
}

func TestConfigure(t *testing.T) {
	all := All(Config{})
	foreign := &transform.Transformer{Name: "foreign"}
	// The multistage rule takes settings, dnf does not.
	var ms, dnf *transform.Transformer
	for _, tr := range all {
		switch tr.Name {
		case "multistage":
			ms = tr
		case "dnf":
			dnf = tr
		}
	}
	got := Configure([]*transform.Transformer{ms, foreign, dnf}, Config{})
	if names(got) != "multistage,foreign,dnf" {
		t.Fatalf("Configure = %s, want the order kept", names(got))
	}
	if got[0] == ms {
		t.Error("multistage was not built again for the configuration")
	}
	if got[1] != foreign || got[2] != dnf {
		t.Error("a rule without settings, or a foreign one, was replaced")
	}
}
