// Package toolcache knows where build tools keep their caches: the
// directories a build fills (package downloads, compiled modules, build
// caches) that no program of the image reads when it runs.
//
// Two parts of dockmend ask: the multistage rule, which copies a build's
// outputs into the final stage and must leave the caches out, and
// imagediff, which must not count a cache the rewritten image no longer
// has as a lost file. One table keeps their answers the same.
package toolcache

import "strings"

// homeCaches are the caches of build tools under a home directory (/root,
// or /home/NAME for a build run as a user, as npm ci runs as node).
var homeCaches = []struct{ dir, why string }{
	{".cache", "a build cache"},
	{".npm", "npm's cache"},
	{".m2", "Maven's repository cache"},
	{".gradle", "Gradle's cache"},
	{".cargo/registry", "Cargo's registry cache"},
	{".cargo/git", "Cargo's git cache"},
	{".cargo/.package-cache", "the lock of Cargo's caches"},
	{".cargo/.package-cache-mutate", "the lock of Cargo's caches"},
	{".cargo/.global-cache", "Cargo's record of its caches' use"},
	{"go/pkg", "Go's module and build cache"},
	{".config/go", "Go's settings cache"},
}

// fixedCaches are caches at fixed places: where the official toolchain
// images put them (GOPATH=/go, CARGO_HOME=/usr/local/cargo) and yarn's
// global cache when HOME is unset.
var fixedCaches = []struct{ dir, why string }{
	{"/go/pkg", "Go's module and build cache"},
	{"/usr/local/cargo/registry", "Cargo's registry cache"},
	{"/usr/local/cargo/git", "Cargo's git cache"},
	{"/usr/local/share/.cache", "a build cache"},
}

// Explain says which cache the clean absolute path p is or lies in ("npm's
// cache"), or returns "" when p is in none.
func Explain(p string) string {
	for _, c := range fixedCaches {
		if under(p, c.dir) {
			return c.why
		}
	}
	var rest string
	switch {
	case strings.HasPrefix(p, "/root/"):
		rest = p[len("/root/"):]
	case strings.HasPrefix(p, "/home/"):
		_, after, ok := strings.Cut(p[len("/home/"):], "/")
		if !ok {
			return ""
		}
		rest = after
	default:
		return ""
	}
	for _, c := range homeCaches {
		if under(rest, c.dir) {
			return c.why
		}
	}
	return ""
}

// under reports whether p is dir or lies below it.
func under(p, dir string) bool {
	return p == dir || strings.HasPrefix(p, dir+"/")
}
