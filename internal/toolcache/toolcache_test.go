package toolcache

import "testing"

func TestExplain(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/root/.cache/go-build/00/x", "a build cache"},
		{"/root/.cache", "a build cache"},
		{"/home/node/.npm/_cacache/index", "npm's cache"},
		{"/home/app/.cargo/git/db/x", "Cargo's git cache"},
		{"/root/go/pkg/mod/cache/x", "Go's module and build cache"},
		{"/go/pkg/mod/golang.org/x/text@v0.3.0/go.mod", "Go's module and build cache"},
		{"/usr/local/cargo/registry/index/x", "Cargo's registry cache"},
		{"/usr/local/share/.cache/yarn/v6/x", "a build cache"},
		{"/root/.npm", "npm's cache"},
		{"/home/node/.npm/_logs/x.log", "npm's cache"},
		{"/home/app/.cache/pip/http", "a build cache"},
		{"/home/app/.m2/repository", "Maven's repository cache"},
		{"/home/app/go/pkg/mod", "Go's module and build cache"},
		{"/root/.cargo/registry/index", "Cargo's registry cache"},
		{"/root/.cargo/.package-cache", "the lock of Cargo's caches"},
		// Not caches: what builds install, and look-alikes.
		{"/root/go/bin/tool", ""},
		{"/go/bin/tool", ""},
		{"/usr/local/cargo/bin/cargo", ""},
		{"/root/.cachefile", ""},
		{"/root/.npmrc", ""},
		{"/root/.cargo/bin/tool", ""},
		{"/home/node/app/.npm", ""},
		{"/srv/.npm", ""},
		{"/home/.npm", ""},
		{"/home/app", ""},
		{"/srv/root/.cache/x", ""},
		{"/app/.cache/x", ""},
	} {
		if got := Explain(tc.path); got != tc.want {
			t.Errorf("Explain(%q) = %q, want %q", tc.path, got, tc.want)
		}
	}
}
