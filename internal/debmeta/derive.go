package debmeta

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
)

// Package is the part of a stanza of a Packages index that the derivation
// reads.
type Package struct {
	Name, Source, Section, Priority string
	Essential                       bool
	// Depends, PreDepends and Recommends are lists of alternatives:
	// "a | b, c" is [[a b] [c]]. Versions and architectures are dropped.
	Depends, PreDepends, Recommends [][]string
	Provides                        []string
}

// maxStanza bounds one stanza of an index, and maxPackages the number of
// stanzas: the index is read from a local file apt fetched, but a broken
// one must not exhaust memory.
const (
	maxLine     = 1 << 20
	maxPackages = 1 << 20
)

func newIndex(pkgs []Package) *index {
	ix := &index{pkgs: map[string]*Package{}, provides: map[string][]string{}}
	for i := range pkgs {
		p := &pkgs[i]
		if _, dup := ix.pkgs[p.Name]; dup {
			continue // the first stanza wins, as in the index order apt uses
		}
		ix.pkgs[p.Name] = p
		for _, v := range p.Provides {
			ix.provides[v] = append(ix.provides[v], p.Name)
		}
	}
	for v := range ix.provides {
		slices.Sort(ix.provides[v])
		ix.provides[v] = slices.Compact(ix.provides[v])
	}
	return ix
}

// real returns the package a dependency group installs: its first
// alternative that is a real package, else a virtual package's only
// provider; "" when neither exists.
func (ix *index) real(group []string) string {
	for _, n := range group {
		if _, ok := ix.pkgs[n]; ok {
			return n
		}
	}
	for _, n := range group {
		if pv := ix.provides[n]; len(pv) == 1 {
			return pv[0]
		}
	}
	return ""
}

func (ix *index) source(n string) string {
	p := ix.pkgs[n]
	if p == nil || p.Source == "" {
		return n
	}
	return p.Source
}

func (ix *index) section(n string) string {
	p := ix.pkgs[n]
	if p == nil {
		return ""
	}
	s := p.Section
	if i := strings.LastIndexByte(s, '/'); i >= 0 {
		s = s[i+1:] // "contrib/libs"
	}
	return s
}

// isDev reports whether n is a development package: a -dev name or the
// libdevel section.
func (ix *index) isDev(n string) bool {
	return strings.HasSuffix(n, "-dev") || ix.section(n) == "libdevel"
}

// Derive computes a release's data from its Packages index.
func Derive(pkgs []Package) *Data {
	ix := newIndex(pkgs)
	d := &Data{Runtime: map[string][]string{}, Recommends: map[string][]string{}}
	base := ix.base()
	for n := range base {
		d.Base = append(d.Base, n)
	}
	slices.Sort(d.Base)
	memo := map[string][]string{}
	// In name order: a dependency cycle between -dev packages is cut
	// where the walk enters it, and the output must not depend on map
	// order.
	names := make([]string, 0, len(ix.pkgs))
	for n := range ix.pkgs {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		if !BuildOnly(n) && !ix.isDev(n) {
			continue
		}
		var rt []string
		if ix.isDev(n) {
			rt = ix.devRuntime(n, memo, map[string]bool{})
		} else {
			for _, t := range toolRuntime {
				if t.pattern.MatchString(n) {
					rt = append(rt, t.runtime...)
				}
			}
		}
		var out []string
		for _, r := range rt {
			if r != n && !base[r] && !slices.Contains(out, r) {
				out = append(out, r)
			}
		}
		hard := ix.dataReached(n, base, false)
		for _, r := range ix.dataReached(n, base, true) {
			if r == n || slices.Contains(out, r) {
				continue
			}
			if !slices.Contains(hard, r) {
				r = "?" + r // only through recommendations
			}
			out = append(out, r)
		}
		d.Runtime[n] = ix.prune(out)
	}
	// A virtual package that only build-only packages provide (libc-dev,
	// provided by libc6-dev) maps to what its providers need.
	for v, providers := range ix.provides {
		if _, real := ix.pkgs[v]; real || strings.Contains(v, "+") || !strings.HasSuffix(v, "-dev") {
			continue // not a name a Dockerfile installs: Rust crate features, ABI names
		}
		// Only C and C++ libraries: the Go and Rust source packages
		// provide thousands of aliases nobody installs by name.
		var out []string
		ok := true
		for _, pv := range providers {
			rt, known := d.Runtime[pv]
			if !known || ix.section(pv) != "libdevel" {
				ok = false
				break
			}
			for _, r := range rt {
				if !slices.Contains(out, r) {
					out = append(out, r)
				}
			}
		}
		if ok && len(providers) > 0 {
			d.Runtime[v] = out
		}
	}
	// Who installs a data package through recommendations: the packages
	// that recommend it and those that depend on one of them (curl ->
	// libcurl4 -> ca-certificates). Base packages do not count: apt
	// follows the recommendations of the packages it installs only.
	rdeps := map[string][]string{}
	for n, p := range ix.pkgs {
		for _, g := range slices.Concat(p.PreDepends, p.Depends) {
			if r := ix.real(g); r != "" {
				rdeps[r] = append(rdeps[r], n)
			}
		}
	}
	for _, dp := range DataPackages {
		if base[dp] {
			continue
		}
		set := map[string]bool{}
		for n, p := range ix.pkgs {
			if !base[n] && slices.ContainsFunc(p.Recommends, func(g []string) bool { return slices.Contains(g, dp) }) {
				set[n] = true
				for _, r := range rdeps[n] {
					if !base[r] {
						set[r] = true
					}
				}
			}
		}
		recs := make([]string, 0, len(set))
		for n := range set {
			recs = append(recs, n)
		}
		slices.Sort(recs)
		d.Recommends[dp] = recs
	}
	return d
}

// prune drops from a list of run-time packages those that another package
// of the list depends on: apt installs them anyway.
func (ix *index) prune(pkgs []string) []string {
	implied := map[string]bool{}
	for _, p := range pkgs {
		seen := map[string]bool{}
		stack := []string{p}
		for len(stack) > 0 {
			x := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			q := ix.pkgs[x]
			if q == nil || seen[x] {
				continue
			}
			seen[x] = true
			if x != p {
				implied[x] = true
			}
			for _, g := range slices.Concat(q.PreDepends, q.Depends) {
				if r := ix.real(g); r != "" {
					stack = append(stack, r)
				}
			}
		}
	}
	var out []string
	for _, p := range pkgs {
		if !implied[strings.TrimPrefix(p, "?")] {
			out = append(out, p)
		}
	}
	return out
}

// base returns the packages debootstrap's minbase variant installs: the
// Essential and required packages, apt, and their dependencies without
// alternatives (with alternatives, which one is installed is not known).
func (ix *index) base() map[string]bool {
	var stack []string
	for n, p := range ix.pkgs {
		if p.Essential || p.Priority == "required" {
			stack = append(stack, n)
		}
	}
	stack = append(stack, "apt")
	base := map[string]bool{}
	for len(stack) > 0 {
		n := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := ix.pkgs[n]
		if p == nil || base[n] {
			continue
		}
		base[n] = true
		for _, g := range slices.Concat(p.PreDepends, p.Depends) {
			if len(g) != 1 {
				continue
			}
			if r := ix.real(g); r != "" {
				stack = append(stack, r)
			}
		}
	}
	return base
}

// devRuntime returns the run-time packages of the development package n
// (see the package documentation).
func (ix *index) devRuntime(n string, memo map[string][]string, visiting map[string]bool) []string {
	if r, ok := memo[n]; ok {
		return r
	}
	if visiting[n] {
		return nil
	}
	visiting[n] = true
	defer delete(visiting, n)
	p := ix.pkgs[n]
	src := ix.source(n)
	var out, devDeps []string
	own := false
	for _, g := range slices.Concat(p.PreDepends, p.Depends) {
		x := ix.real(g)
		if x == "" || x == n {
			continue
		}
		xs := ix.source(x)
		if xs != src && stopSources.MatchString(xs) {
			continue
		}
		if ix.isDev(x) || BuildOnly(x) {
			devDeps = append(devDeps, x)
			continue
		}
		switch sec := ix.section(x); {
		case xs == src && sec != "devel" && sec != "doc" && !strings.HasSuffix(x, "-doc") && !strings.HasSuffix(x, "-bin"):
			out = append(out, x)
			own = true
		case sec == "libs" || sec == "oldlibs":
			out = append(out, x)
		}
	}
	for _, x := range devDeps {
		if !ix.isDev(x) || own && ix.source(x) != src {
			continue
		}
		for _, y := range ix.devRuntime(x, memo, visiting) {
			if !slices.Contains(out, y) {
				out = append(out, y)
			}
		}
	}
	memo[n] = out
	return out
}

// dataReached returns the data packages (DataPackages) that installing n
// (with its recommendations when recommends) installs on an image that
// has the base packages: their own recommendations are not followed, as
// apt follows them only for packages it installs.
func (ix *index) dataReached(n string, base map[string]bool, recommends bool) []string {
	seen := map[string]bool{}
	stack := []string{n}
	for len(stack) > 0 {
		x := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		p := ix.pkgs[x]
		if p == nil || seen[x] || base[x] {
			continue
		}
		seen[x] = true
		groups := slices.Concat(p.PreDepends, p.Depends)
		if recommends {
			groups = append(groups, p.Recommends...)
		}
		for _, g := range groups {
			if r := ix.real(g); r != "" {
				stack = append(stack, r)
			}
		}
	}
	var out []string
	for _, d := range DataPackages {
		if seen[d] {
			out = append(out, d)
		}
	}
	return out
}

// Header is what a data file's header records about the index it was
// made from.
type Header struct {
	Release, Version, Date string
	// Index names the index read ("main/binary-amd64/Packages") and
	// SHA256 its digest as the release file lists it.
	Index, SHA256 string
	Packages      int
}

// Write writes d as a release's data file: a header of "# key: value"
// lines, "@base" with the base packages, one "@recommends PKG ..." line
// per data package, then one line per build-only package, sorted: its
// name and its run-time packages; a data package that only its
// recommendations install is written "?NAME".
func (d *Data) Write(w io.Writer, h Header) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# Code generated by go generate ./internal/debmeta; DO NOT EDIT.\n")
	fmt.Fprintf(bw, "# release: %s\n# version: %s\n# date: %s\n", h.Release, h.Version, h.Date)
	fmt.Fprintf(bw, "# index: %s (%d packages)\n# sha256: %s\n", h.Index, h.Packages, h.SHA256)
	fmt.Fprintf(bw, "@base %s\n", strings.Join(d.Base, " "))
	for _, dp := range DataPackages {
		if recs, ok := d.Recommends[dp]; ok {
			fmt.Fprintf(bw, "@recommends %s %s\n", dp, strings.Join(recs, " "))
		}
	}
	names := make([]string, 0, len(d.Runtime))
	for n := range d.Runtime {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		fmt.Fprintln(bw, strings.Join(append([]string{n}, d.Runtime[n]...), " "))
	}
	return bw.Flush()
}
