package session

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/lockfile"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/pin"
)

// registries makes the digest resolvers of a run: one per distinct set of
// registry settings, so that each reference is looked up once, and one
// lock file per path.
//
// A registries may be used by several goroutines.
type registries struct {
	offline, refresh bool
	// offlineMissFails makes what the offline lock file does not know a
	// failure rather than a finding (migrate).
	offlineMissFails bool

	mu        sync.Mutex
	resolvers map[string]*resolve.Resolver
	locks     map[string]*lockfile.File
	lockOrder []string
}

func newRegistries(offline, refresh bool) *registries {
	return &registries{offline: offline, refresh: refresh, resolvers: map[string]*resolve.Resolver{}, locks: map[string]*lockfile.File{}}
}

// pinOptions returns the pin rule's options for a merged configuration.
func (r *registries) pinOptions(m *config.Config) (*pin.Options, error) {
	res, err := r.resolver(m)
	if err != nil {
		if m.Path != "" {
			err = fmt.Errorf("%s: %w", m.Path, err)
		}
		return nil, err
	}
	return &pin.Options{Resolver: res, BuildArgs: m.BuildArgs, Refresh: r.refresh, Platform: m.Platform, Concurrency: m.Concurrency, BuildContexts: m.ContextNames(), OfflineMissFails: r.offlineMissFails}, nil
}

func (r *registries) resolver(m *config.Config) (*resolve.Resolver, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	lock := m.LockfilePath()
	if lock != "" {
		// One lock file, one object, however its path was spelled (the
		// flag's relative path, or made absolute by a configuration file).
		if abs, err := filepath.Abs(lock); err == nil {
			lock = abs
		}
	}
	key := fmt.Sprintf("%q %q %q %d", mapItems(m.RegistryMirrors), slices.Sorted(slices.Values(m.InsecureRegistries)), lock, m.Concurrency)
	if res, ok := r.resolvers[key]; ok {
		return res, nil
	}
	var opts []resolve.Option
	if m.Concurrency > 0 {
		opts = append(opts, resolve.WithConcurrency(m.Concurrency))
	}
	for _, reg := range slices.Sorted(maps.Keys(m.RegistryMirrors)) {
		opts = append(opts, resolve.WithMirror(reg, m.RegistryMirrors[reg]))
	}
	for _, host := range m.InsecureRegistries {
		opts = append(opts, resolve.WithInsecureRegistry(host))
	}
	switch {
	case lock != "":
		f, err := r.lockfile(lock)
		if err != nil {
			return nil, err
		}
		opts = append(opts, resolve.WithLockfile(f))
	case r.offline:
		return nil, errors.New("--offline needs a lock file: give --lockfile or set lockfile in .dockmend.yaml")
	}
	if r.offline {
		opts = append(opts, resolve.WithOffline())
	}
	res, err := resolve.New(opts...)
	if err != nil {
		return nil, err
	}
	r.resolvers[key] = res
	return res, nil
}

// lockTag returns, for the lock file of a merged configuration, a lookup
// from a digest to a tagged reference pinned to it (the multistage rule
// reads the release of FROM image@sha256:... from it); nil when there is
// no lock file or it cannot be read (pinning reports that).
func (r *registries) lockTag(m *config.Config) func(digest string) (string, bool) {
	lock := m.LockfilePath()
	if lock == "" {
		return nil
	}
	if abs, err := filepath.Abs(lock); err == nil {
		lock = abs
	}
	r.mu.Lock()
	f, err := r.lockfile(lock)
	r.mu.Unlock()
	if err != nil {
		return nil
	}
	return func(digest string) (string, bool) {
		for _, e := range f.Entries() {
			if e.Digest == digest || e.Index == digest {
				return e.Reference, true
			}
		}
		return "", false
	}
}

func mapItems(m map[string]string) []string {
	var out []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, k+"="+m[k])
	}
	return out
}

// lockfile loads the lock file at path once; a missing one starts empty,
// unless offline.
func (r *registries) lockfile(path string) (*lockfile.File, error) {
	if f, ok := r.locks[path]; ok {
		return f, nil
	}
	f, err := lockfile.Load(path)
	if errors.Is(err, fs.ErrNotExist) && !r.offline {
		f, err = lockfile.New(), nil
	}
	if err != nil {
		return nil, err
	}
	r.locks[path] = f
	r.lockOrder = append(r.lockOrder, path)
	return f, nil
}

// save writes the lock files whose content changed. Offline runs record
// nothing, so there is nothing to save.
func (r *registries) save() []error {
	_, errs := r.saveWhere(func(string) bool { return true })
	return errs
}

// saveWhere saves the lock files whose path pass keep, and returns those
// that were written.
func (r *registries) saveWhere(keep func(path string) bool) (saved []string, errs []error) {
	if r.offline {
		return nil, nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, path := range r.lockOrder {
		if !keep(path) {
			continue
		}
		f := r.locks[path]
		var buf bytes.Buffer
		if err := f.Encode(&buf, lockfile.FormatFor(path)); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			continue
		}
		old, err := lockfile.ReadFile(path)
		switch {
		case err == nil && bytes.Equal(old, buf.Bytes()):
			continue // unchanged
		case f.Len() == 0 && (errors.Is(err, fs.ErrNotExist) || err == nil && len(bytes.TrimSpace(old)) == 0):
			continue // nothing to record, and nothing was recorded: no new file, no rewrite of an empty one
		}
		if err := f.Save(path); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", path, err))
			continue
		}
		saved = append(saved, path)
	}
	return saved, errs
}

// forget drops the lock files whose path pass drop, unsaved: those of a
// temporary worktree, once its repository is done.
func (r *registries) forget(drop func(path string) bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.lockOrder = slices.DeleteFunc(r.lockOrder, func(path string) bool {
		if drop(path) {
			delete(r.locks, path)
			return true
		}
		return false
	})
}

// unreachable lists the registries that could not be reached, over all
// resolvers, sorted by name.
func (r *registries) unreachable() []resolve.Unreachable {
	r.mu.Lock()
	defer r.mu.Unlock()
	byName := map[string]*resolve.Unreachable{}
	var out []*resolve.Unreachable
	for _, key := range slices.Sorted(maps.Keys(r.resolvers)) {
		for _, u := range r.resolvers[key].Unreachable() {
			if seen, ok := byName[u.Registry]; ok {
				seen.Refs += u.Refs
				continue
			}
			byName[u.Registry] = &u
			out = append(out, &u)
		}
	}
	slices.SortFunc(out, func(a, b *resolve.Unreachable) int { return strings.Compare(a.Registry, b.Registry) })
	list := make([]resolve.Unreachable, len(out))
	for i, u := range out {
		list[i] = *u
	}
	return list
}

// aboutUnreachable reports whether fd is the pin rule's failure to reach
// one of the registries in list: those are said once per registry.
func aboutUnreachable(fd transform.Finding, list []resolve.Unreachable) bool {
	if !fd.Failed || fd.Rule != pin.Name {
		return false
	}
	for _, u := range list {
		prefix := ": cannot reach registry " + u.Registry
		if i := strings.Index(fd.Message, prefix); i >= 0 {
			if rest := fd.Message[i+len(prefix):]; strings.HasPrefix(rest, ":") || strings.HasPrefix(rest, " (") {
				return true
			}
		}
	}
	return false
}

// unreachableHint says what to do without registry access.
const unreachableHint = "hint: without registry access, pin from a lock file (--offline --lockfile FILE), leave pinning out (--ignore pin), or look images up through a mirror (--registry-mirror REGISTRY=URL)"

func (r *registries) close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, res := range r.resolvers {
		res.Close()
	}
}
