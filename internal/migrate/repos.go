package migrate

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Target is a repository to migrate.
type Target struct {
	// Path is the repository as given or found; reports use it.
	Path string
	// ShardKey decides the repository's shard: the path relative to the
	// --root it was found under, or Path.
	ShardKey string
}

// FindRepositories returns the git repositories below root, at most
// maxDepth directories down (root's children are depth 1), sorted by
// path. A directory that holds .git (a directory, or the file of a
// worktree or submodule) is a repository, and the search does not go
// into it. Directories that cannot be read are reported, and the search
// goes on.
func FindRepositories(ctx context.Context, root string, maxDepth int) ([]Target, []error) {
	var out []Target
	var errs []error
	var walk func(dir, rel string, depth int)
	walk = func(dir, rel string, depth int) {
		if ctx.Err() != nil {
			return
		}
		if _, err := os.Lstat(filepath.Join(dir, ".git")); err == nil {
			key := filepath.ToSlash(rel)
			out = append(out, Target{Path: dir, ShardKey: key})
			return
		}
		if depth >= maxDepth {
			return
		}
		entries, err := os.ReadDir(dir)
		if err != nil {
			errs = append(errs, err)
			return
		}
		for _, e := range entries {
			if !e.IsDir() {
				continue
			}
			switch e.Name() {
			case ".git", "node_modules", "vendor":
				continue
			}
			walk(filepath.Join(dir, e.Name()), filepath.Join(rel, e.Name()), depth+1)
		}
	}
	fi, err := os.Stat(root)
	switch {
	case err != nil:
		return nil, []error{err}
	case !fi.IsDir():
		return nil, []error{fmt.Errorf("%s: not a directory", root)}
	}
	walk(filepath.Clean(root), ".", 0)
	slices.SortFunc(out, func(a, b Target) int { return strings.Compare(a.Path, b.Path) })
	return out, errs
}

// ReadList reads repository paths, one a line; blank lines and lines
// starting with # are skipped, and surrounding spaces trimmed.
func ReadList(r io.Reader) ([]Target, error) {
	var out []Target
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		p := filepath.Clean(line)
		out = append(out, Target{Path: p, ShardKey: filepath.ToSlash(p)})
	}
	return out, sc.Err()
}

// Shard is one of N parts of a fleet, numbered from 1.
type Shard struct {
	Index, Count int
}

// ParseShard parses "I/N" with 1 <= I <= N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	idx, err1 := strconv.Atoi(i)
	cnt, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || cnt < 1 || idx < 1 || idx > cnt {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 1 <= I <= N, such as 1/4", s)
	}
	return Shard{Index: idx, Count: cnt}, nil
}

// String returns "I/N".
func (s Shard) String() string { return fmt.Sprintf("%d/%d", s.Index, s.Count) }

// Has reports whether the repository belongs to the shard: the FNV-1a hash
// of its shard key, modulo N, is I-1. The choice depends only on the key,
// so every machine of a fleet run agrees on it.
func (s Shard) Has(t Target) bool {
	h := fnv.New64a()
	h.Write([]byte(t.ShardKey))
	return h.Sum64()%uint64(s.Count) == uint64(s.Index-1)
}

// Dedupe drops repeated repositories (the same directory given twice),
// keeping the first.
func Dedupe(ts []Target) []Target {
	seen := map[string]bool{}
	var out []Target
	for _, t := range ts {
		key, err := filepath.Abs(t.Path)
		if err != nil {
			key = t.Path
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, t)
	}
	return out
}

// isNotExist reports a missing path, through wrapping.
func isNotExist(err error) bool { return errors.Is(err, fs.ErrNotExist) }
