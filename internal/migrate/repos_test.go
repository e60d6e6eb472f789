package migrate

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParseShard(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want Shard
		ok   bool
	}{
		{"1/1", Shard{1, 1}, true},
		{"2/8", Shard{2, 8}, true},
		{"8/8", Shard{8, 8}, true},
		{"0/8", Shard{}, false}, // 1-based
		{"9/8", Shard{}, false},
		{"1/0", Shard{}, false},
		{"1", Shard{}, false},
		{"a/b", Shard{}, false},
		{"-1/2", Shard{}, false},
	} {
		got, err := ParseShard(tt.in)
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("ParseShard(%q) = %v, %v; want %v, ok %v", tt.in, got, err, tt.want, tt.ok)
		}
		if err == nil && got.String() != tt.in {
			t.Errorf("Shard.String() = %q, want %q", got.String(), tt.in)
		}
	}
}

// TestShardPartition checks that the shards of a fleet cover every
// repository exactly once, and that no shard is far from its share.
func TestShardPartition(t *testing.T) {
	const repos, n = 1000, 4
	seen := map[string]int{}
	for i := 1; i <= n; i++ {
		s := Shard{i, n}
		count := 0
		for r := range repos {
			tg := Target{ShardKey: fmt.Sprintf("team-%d/service-%d", r%17, r)}
			if s.Has(tg) {
				seen[tg.ShardKey]++
				count++
			}
		}
		if count < repos/n/2 || count > repos/n*2 {
			t.Errorf("shard %v has %d of %d repositories", s, count, repos)
		}
	}
	if len(seen) != repos {
		t.Errorf("the shards cover %d of %d repositories", len(seen), repos)
	}
	for k, c := range seen {
		if c != 1 {
			t.Errorf("%s is in %d shards", k, c)
		}
	}
	// The choice is the key's alone: the same on every machine and run.
	if (Shard{3, 4}).Has(Target{Path: "/elsewhere", ShardKey: "a/b"}) != (Shard{3, 4}).Has(Target{Path: "a/b", ShardKey: "a/b"}) {
		t.Error("the shard depends on more than the shard key")
	}
}

func TestReadList(t *testing.T) {
	got, err := ReadList(strings.NewReader("# fleet\nrepos/a\n\n  repos/b/  \n#repos/c\r\nrepos/d\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []Target{{"repos/a", "repos/a"}, {"repos/b", "repos/b"}, {"repos/d", "repos/d"}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ReadList = %v, want %v", got, want)
	}
}

func TestFindRepositories(t *testing.T) {
	root := t.TempDir()
	for _, d := range []string{
		"a/.git",              // depth 1
		"team/b/.git",         // depth 2
		"team/b/nested/.git",  // inside a repository: not searched
		"deep/x/y/z/.git",     // depth 4: beyond --max-depth 3
		"node_modules/m/.git", // skipped directory
		"plain/dir",
	} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// A worktree or submodule has a .git file.
	if err := os.MkdirAll(filepath.Join(root, "wt"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "wt", ".git"), []byte("gitdir: /x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	got, errs := FindRepositories(context.Background(), root, 3)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var keys []string
	for _, tg := range got {
		keys = append(keys, tg.ShardKey)
		if rel, _ := filepath.Rel(root, tg.Path); filepath.ToSlash(rel) != tg.ShardKey {
			t.Errorf("%s: shard key %q is not the path relative to the root", tg.Path, tg.ShardKey)
		}
	}
	if want := []string{"a", "team/b", "wt"}; !reflect.DeepEqual(keys, want) {
		t.Errorf("found %v, want %v", keys, want)
	}
	if got, _ := FindRepositories(context.Background(), root, 1); len(got) != 2 {
		t.Errorf("--max-depth 1 found %d repositories, want 2 (a, wt)", len(got))
	}
	if _, errs := FindRepositories(context.Background(), filepath.Join(root, "missing"), 3); len(errs) != 1 {
		t.Errorf("a missing root gives %v, want one error", errs)
	}
}

func TestMergeReports(t *testing.T) {
	a := &Report{Version: ReportVersion, Shard: "1/2", Branch: "dockmend/apt", Repositories: []*Repository{
		{Path: "r/c", Status: Changed}, {Path: "r/a", Status: Failed},
	}}
	b := &Report{Version: ReportVersion, Shard: "2/2", Branch: "dockmend/apt", Repositories: []*Repository{
		{Path: "r/b", Status: Unchanged},
	}}
	retry := &Report{Version: ReportVersion, Repositories: []*Repository{{Path: "r/a", Status: Changed}}}
	m := Merge([]*Report{a, b, retry})
	var paths []string
	for _, r := range m.Repositories {
		paths = append(paths, r.Path+"="+string(r.Status))
	}
	if want := []string{"r/a=changed", "r/b=unchanged", "r/c=changed"}; !reflect.DeepEqual(paths, want) {
		t.Errorf("merged %v, want %v", paths, want)
	}
	if m.Counts[Changed] != 2 || m.Counts[Unchanged] != 1 || m.Counts[Failed] != 0 {
		t.Errorf("counts %v", m.Counts)
	}
	if !reflect.DeepEqual(m.Shards, []string{"1/2", "2/2"}) || m.Branch != "dockmend/apt" {
		t.Errorf("shards %v, branch %q", m.Shards, m.Branch)
	}

	// A saved report reads back the same.
	path := filepath.Join(t.TempDir(), "r.json")
	if err := m.Save(path); err != nil {
		t.Fatal(err)
	}
	back, err := ReadReport(path)
	if err != nil {
		t.Fatal(err)
	}
	if st, ok := back.StatusOf("r/b"); !ok || st != Unchanged {
		t.Errorf("StatusOf(r/b) = %v, %v", st, ok)
	}
	if err := os.WriteFile(path, []byte(`{"version": 9}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadReport(path); err == nil || !strings.Contains(err.Error(), "version 9") {
		t.Errorf("a report of another version: %v", err)
	}
}

func TestMarkdown(t *testing.T) {
	rep := &Report{DryRun: false, Repositories: []*Repository{
		{Path: "x|y", Status: Changed, Branch: "dockmend/pin", Commit: "0123456789abcdef0123", Pushed: true,
			Files: []FileFixes{{Path: "Dockerfile", Fixes: map[string]int{"pin": 2, "apt": 1}}}, Fixes: map[string]int{"pin": 2, "apt": 1}},
		{Path: "z", Status: Failed, Reason: "not a git repository"},
	}}
	rep.Count()
	var b strings.Builder
	if err := rep.WriteMarkdown(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"# dockmend migrate: 2 repositories",
		"1 changed, 0 unchanged, 0 skipped, 1 failed",
		`| x\|y | changed | 1 | apt 1, pin 2 | dockmend/pin | 0123456789ab (pushed) |  |`,
		"| z | failed |  |  |  |  | not a git repository |",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("summary lacks %q:\n%s", want, b.String())
		}
	}
}
