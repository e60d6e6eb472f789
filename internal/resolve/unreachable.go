package resolve

import (
	"slices"
	"strings"
)

// Unreachable is a registry that a Resolver could not reach: a failed DNS
// lookup, a refused connection, a timeout while connecting.
type Unreachable struct {
	// Registry is the registry as references name it: "docker.io".
	Registry string
	// Mirror is the host asked instead, if the registry has a mirror.
	Mirror string
	// Err is the first failure, with credentials removed.
	Err string
	// Refs counts the distinct references it failed for.
	Refs int
}

type unreachable struct {
	u    Unreachable
	refs map[string]bool
}

// Unreachable lists the registries this Resolver could not reach so far,
// sorted by name, so that a command can report each once rather than once
// per reference.
func (r *Resolver) Unreachable() []Unreachable {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Unreachable
	for _, u := range r.unreach {
		out = append(out, u.u)
	}
	slices.SortFunc(out, func(a, b Unreachable) int { return strings.Compare(a.Registry, b.Registry) })
	return out
}

func (r *Resolver) noteUnreachable(p ref, msg string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.unreach == nil {
		r.unreach = map[string]*unreachable{}
	}
	u, ok := r.unreach[p.registry]
	if !ok {
		u = &unreachable{u: Unreachable{Registry: p.registry, Err: msg}, refs: map[string]bool{}}
		if m, ok := r.o.mirrors[p.registry]; ok {
			u.u.Mirror = m.host
		}
		r.unreach[p.registry] = u
	}
	if !u.refs[p.name()] {
		u.refs[p.name()] = true
		u.u.Refs++
	}
}

// unreachablePrefix is the start of the message of a lookup that could not
// reach p's registry: "cannot reach registry docker.io", with its mirror.
func (r *Resolver) unreachablePrefix(p ref) string {
	s := "cannot reach registry " + p.registry
	if m, ok := r.o.mirrors[p.registry]; ok {
		s += " (through its mirror " + m.host + ")"
	}
	return s
}
