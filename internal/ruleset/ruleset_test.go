package ruleset

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/severity"
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

// TestLevelsDocumented checks that every rule's documentation states its
// levels, in the words LevelDoc makes from the rule's data, and that no
// rule leaves its level unset.
func TestLevelsDocumented(t *testing.T) {
	for _, tr := range All(Config{}) {
		if tr.Level == severity.None {
			t.Errorf("rule %s: no Level", tr.Name)
		}
		if !strings.Contains(tr.Doc, tr.LevelDoc()) {
			t.Errorf("rule %s: its doc.go does not say %q", tr.Name, tr.LevelDoc())
		}
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

func TestChoose(t *testing.T) {
	all := []*transform.Transformer{
		{Name: "a", Default: true, Fixes: []string{"DL3009", "DL3015"}},
		{Name: "b", Default: false, Fixes: []string{"DL3060", "JSONArgsRecommended"}},
		{Name: "c", Default: true},
	}
	tests := []struct {
		sel, ign []string
		want     string // rules; checks; ignored checks
		err      string
	}{
		{nil, nil, "a,c; map[]; []", ""},
		{[]string{"DL3009"}, nil, "a; map[a:[DL3009]]; []", ""},
		{[]string{"dl3009", "DL3015"}, nil, "a; map[a:[DL3009 DL3015]]; []", ""},
		{[]string{"DL3009", "a"}, nil, "a; map[]; []", ""},
		{[]string{"DL3060", "c"}, nil, "b,c; map[b:[DL3060]]; []", ""},
		{[]string{"JSONArgsRecommended"}, nil, "b; map[b:[JSONArgsRecommended]]; []", ""},
		{[]string{"DL3009"}, []string{"a"}, "; map[]; []", ""},
		{nil, []string{"DL3015", "dl3008", "SC2086"}, "a,c; map[]; [DL3015 DL3008 SC2086]", ""},
		{[]string{"all"}, []string{"DL3015"}, "a,b,c; map[]; [DL3015]", ""},
		{[]string{"DL3008"}, nil, "", `no rule checks DL3008 (the checks dockmend fixes: DL3009 (a), DL3015 (a), DL3060 (b), JSONArgsRecommended (b))`},
		{[]string{"DL30"}, nil, "", `unknown rule "DL30"`},
		{nil, []string{"jsonargsrecommended"}, "", `unknown rule "jsonargsrecommended"`},
	}
	for _, tt := range tests {
		got, err := Choose(all, tt.sel, tt.ign)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("Choose(%v, %v) err = %v, want %q", tt.sel, tt.ign, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("Choose(%v, %v): %v", tt.sel, tt.ign, err)
			continue
		}
		if s := fmt.Sprintf("%s; %v; %v", names(got.Rules), got.Checks, got.IgnoreChecks); s != tt.want {
			t.Errorf("Choose(%v, %v) = %s, want %s", tt.sel, tt.ign, s, tt.want)
		}
	}
}
