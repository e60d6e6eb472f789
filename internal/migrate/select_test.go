package migrate

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSelectionTargets(t *testing.T) {
	prev := &Report{Repositories: []*Repository{
		{Path: "a", Status: Changed},
		{Path: "b", Status: Failed},
		{Path: "c", Status: Unchanged, Errors: []string{"c/Dockerfile: not fixed"}},
		{Path: "d", Status: Skipped},
	}}
	paths := func(ts []Target) string {
		var out []string
		for _, tg := range ts {
			out = append(out, tg.Path)
		}
		return strings.Join(out, ",")
	}
	for _, tt := range []struct {
		name string
		sel  Selection
		want string
	}{
		{"named", Selection{Paths: []string{"x", "a", "x/"}}, "x,a"},
		{"listed", Selection{Paths: []string{"x"}, List: strings.NewReader("# fleet\ny\n\nz\n")}, "x,y,z"},
		{"only failed, from the report", Selection{OnlyFailed: prev}, "b,c"},
		{"only failed, of those named", Selection{Paths: []string{"a", "b", "e"}, OnlyFailed: prev}, "b"},
		{"skip done, from the report", Selection{SkipDone: prev}, "b,c,d"},
		{"skip done, of those named", Selection{Paths: []string{"a", "e"}, SkipDone: prev}, "e"},
		{"both", Selection{OnlyFailed: prev, SkipDone: prev}, "b,c"},
	} {
		got, _, err := tt.sel.Targets(context.Background())
		if err != nil || paths(got) != tt.want {
			t.Errorf("%s: Targets = %s, %v; want %s", tt.name, paths(got), err, tt.want)
		}
	}
	if _, _, err := (Selection{}).Targets(context.Background()); !errors.Is(err, ErrNoRepositories) {
		t.Errorf("empty selection: %v, want ErrNoRepositories", err)
	}
	// A shard keeps its share, and the shares make up the whole.
	all := Selection{Paths: []string{"p1", "p2", "p3", "p4", "p5", "p6"}}
	n := 0
	for i := 1; i <= 3; i++ {
		sel := all
		sel.Shard = &Shard{Index: i, Count: 3}
		got, _, _ := sel.Targets(context.Background())
		n += len(got)
	}
	if n != 6 {
		t.Errorf("3 shards hold %d of 6 repositories", n)
	}
}
