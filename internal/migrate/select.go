package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
)

// Selection says which repositories a run takes: those named, listed and
// found under a root, narrowed by earlier reports and a shard (the
// repository flags of "dockmend migrate").
type Selection struct {
	// Paths are repositories named one by one.
	Paths []string
	// List, if not nil, holds repository paths one a line (ReadList);
	// ListName names it in errors.
	List     io.Reader
	ListName string
	// Root, if not "", is searched for repositories at most MaxDepth
	// directories down (FindRepositories).
	Root     string
	MaxDepth int
	// OnlyFailed, if not nil, keeps the repositories it lists as failed or
	// with files that could not be fixed (Repository.Failed); when no
	// repository is named otherwise, it names those it lists.
	OnlyFailed *Report
	// SkipDone, if not nil, drops the repositories it lists as done
	// (Repository.Done); when no repository is named otherwise, it names
	// those it lists.
	SkipDone *Report
	// Shard, if not nil, keeps the repositories of that shard.
	Shard *Shard
}

// ErrNoRepositories is the error of a Selection that names no
// repositories at all.
var ErrNoRepositories = errors.New("no repositories")

// Targets returns the selected repositories, without duplicates, in
// order. Problems searching Root do not stop it: they are returned as
// problems. The error is reading List, or ErrNoRepositories.
func (s Selection) Targets(ctx context.Context) (targets []Target, problems []error, err error) {
	var ts []Target
	for _, a := range s.Paths {
		p := filepath.Clean(a)
		ts = append(ts, Target{Path: p, ShardKey: filepath.ToSlash(p)})
	}
	if s.List != nil {
		list, err := ReadList(s.List)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: %w", s.ListName, err)
		}
		ts = append(ts, list...)
	}
	if s.Root != "" {
		found, errs := FindRepositories(ctx, s.Root, s.MaxDepth)
		problems = errs
		ts = append(ts, found...)
	}
	named := len(s.Paths) > 0 || s.List != nil || s.Root != ""
	for _, f := range []struct {
		rep  *Report
		keep func(*Repository) bool
	}{
		{s.OnlyFailed, func(r *Repository) bool { return r != nil && r.Failed() }},
		{s.SkipDone, func(r *Repository) bool { return r == nil || !r.Done() }},
	} {
		if f.rep == nil {
			continue
		}
		if !named {
			ts, named = f.rep.Targets(), true
		}
		ts = f.rep.Filter(ts, f.keep)
	}
	if !named {
		return nil, problems, ErrNoRepositories
	}
	ts = Dedupe(ts)
	if s.Shard != nil {
		ts = keep(ts, s.Shard.Has)
	}
	return ts, problems, nil
}

// Targets returns a target for each repository of the report, in order.
func (rep *Report) Targets() []Target {
	var ts []Target
	for _, r := range rep.Repositories {
		ts = append(ts, Target{Path: r.Path, ShardKey: filepath.ToSlash(r.Path)})
	}
	return ts
}

// Filter returns the targets whose outcome in the report keep accepts,
// in order; keep sees nil for a repository the report does not list.
func (rep *Report) Filter(ts []Target, keep func(r *Repository) bool) []Target {
	var out []Target
	for _, t := range ts {
		r, _ := rep.Lookup(t.Path)
		if keep(r) {
			out = append(out, t)
		}
	}
	return out
}

func keep(ts []Target, ok func(Target) bool) []Target {
	var out []Target
	for _, t := range ts {
		if ok(t) {
			out = append(out, t)
		}
	}
	return out
}
