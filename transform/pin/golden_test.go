package pin

import (
	"bytes"
	"context"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/lockfile"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/testregistry"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform"
)

// TestGolden runs the cases in testdata/*.txtar against a real registry
// (internal/testregistry) reached through resolve's mirror support, as
// "dockmend --registry-mirror docker.io=http://127.0.0.1:PORT" would.
//
// The cases run in transformtest's harness (Dockerfile, Dockerfile.golden,
// findings, options) with these sections of their own, which setupGolden
// reads:
//
//   - "registry": testregistry spec lines, pushed in order; pushing a tag
//     again with another gen=N moves it. Every registry host the case
//     names (docker.io, ghcr.io, ...) is mirrored to the one test server,
//     so repository paths are shared.
//   - "dockmend.lock": a lock file; with the option "offline" the resolver
//     uses only it, with "lock" it records into it and the section must
//     hold what was recorded (times are written as "T").
//   - "faults": testregistry.Faults as key=value words (latency=50ms
//     match=/manifests/ fail503=2 fail429=1 retry-after=1s stall=1
//     stall-for=5s reset=1), and "auth" / "auth=user:password" to demand
//     tokens.
//   - "requests": the registry requests the run must send, as
//     "HEAD manifests N", "GET manifests N", "GET blobs N", or "* v2 N"
//     for all of them.
//
// Digests are written as placeholders, filled in before the run and put
// back in the results: {{repo:tag}} is the digest the tag points to after
// all pushes, {{repo:tag gen=N}} that of generation N, a platform after the
// name ({{repo:tag linux/arm64/v8}}) the index child for it, and
// {{short ...}} the 12-digit form findings use.
//
// Options, besides transformtest's "unsafe" and "nofix": "refresh",
// "platform=os/arch[/variant]", "build-arg=K=V", "build-context=NAME",
// "offline", "lock". A finding about work the rule could not do ends in
// " [failed]".
func TestGolden(t *testing.T) {
	transformtest.Suite{Setup: setupGolden, Parallel: true, CheckAfterFix: true}.Run(t, "testdata")
}

// setupGolden starts the case's registry, reads its options, and adds
// the lock file and request sections.
func setupGolden(t transformtest.Testing, c *transformtest.Case) {
	env := newRegistryEnv(t, c)
	if env == nil {
		return
	}
	c.Input = env.fill(c.Input)
	c.Blank = env.blank
	c.MarkFailed = true
	opts := Options{}
	var offline, lock bool
	for _, w := range c.Words {
		k, v, _ := strings.Cut(w, "=")
		switch k {
		case "refresh":
			opts.Refresh = true
		case "platform":
			opts.Platform = v
		case "build-arg":
			name, val, _ := strings.Cut(v, "=")
			if opts.BuildArgs == nil {
				opts.BuildArgs = map[string]string{}
			}
			opts.BuildArgs[name] = val
		case "build-context":
			opts.BuildContexts = append(opts.BuildContexts, v)
		case "offline":
			offline = true
		case "lock":
			lock = true
		default:
			t.Fatalf("unknown option %q", w)
			return
		}
	}
	var lf *lockfile.File
	if data, ok := c.Section("dockmend.lock"); ok && !lock {
		var err error
		lf, err = lockfile.Decode(bytes.NewReader(env.fill(data)), lockfile.JSON)
		if err != nil {
			t.Fatalf("lock file: %v", err)
			return
		}
	} else if lock {
		lf = lockfile.New()
	}
	opts.Resolver = env.resolver(t, lf, offline)
	if opts.Resolver == nil {
		return
	}
	c.Options.Transformers = []*transform.Transformer{New(opts)}
	if lock { // otherwise the lock file is an input
		c.Golden("dockmend.lock", func(*engine.Result) ([]byte, bool) {
			var buf bytes.Buffer
			if err := lf.Encode(&buf, lockfile.JSON); err != nil {
				t.Errorf("%v", err)
			}
			return env.blank(blankTimes(buf.Bytes())), true
		})
	}
	want, ok := c.Section("requests")
	c.Golden("requests", func(*engine.Result) ([]byte, bool) {
		return []byte(env.requests(string(want))), ok
	})
}

// registryEnv is a case's registry and its digests.
type registryEnv struct {
	srv   *testregistry.Server
	hosts []string
	auth  *testregistry.Auth
	// digests maps a placeholder's inside ("library/python:3.12 gen=1
	// linux/amd64") to a digest; names is the reverse, preferring the
	// shortest key.
	digests map[string]string
	names   map[string]string
}

var hostRE = regexp.MustCompile(`(?m)(?:^|[\s=,"'])((?:[a-z0-9-]+\.)+[a-z]{2,}|localhost:[0-9]+|localhost)/`)

// newRegistryEnv starts and seeds the case's registry; nil after a
// Fatalf.
func newRegistryEnv(t transformtest.Testing, c *transformtest.Case) *registryEnv {
	t.Helper()
	env := &registryEnv{digests: map[string]string{}, names: map[string]string{}}
	var sopts []testregistry.Option
	if f, ok := c.Section("faults"); ok {
		faults, auth, err := parseFaults(string(f))
		if err != nil {
			t.Fatalf("%v", err)
			return nil
		}
		sopts = append(sopts, testregistry.WithFaults(faults))
		if auth != nil {
			env.auth = auth
			sopts = append(sopts, testregistry.WithTokenAuth(*auth))
		}
	}
	srv, err := testregistry.Start(sopts...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(func() { srv.Close() })
	env.srv = srv
	spec, _ := c.Section("registry")
	images, err := testregistry.ParseSpec(bytes.NewReader(spec))
	if err != nil {
		t.Fatalf("registry section: %v", err)
		return nil
	}
	seeded, err := srv.Seed(context.Background(), images...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	current := map[string]testregistry.Seeded{}
	for _, s := range seeded {
		key := s.Image.Repo + ":" + s.Image.Tag
		current[key] = s
		gen := fmt.Sprintf("%s gen=%d", key, s.Image.Generation)
		env.add(gen, s.Digest)
		for _, ch := range s.Children {
			env.add(gen+" "+ch.Platform, ch.Digest)
		}
	}
	for key, s := range current {
		env.add(key, s.Digest)
		for _, ch := range s.Children {
			env.add(key+" "+ch.Platform, ch.Digest)
		}
	}
	// Mirror every registry host the case names to the test server.
	seen := map[string]bool{"docker.io": true}
	env.hosts = []string{"docker.io"}
	for _, name := range []string{"Dockerfile", "dockmend.lock"} {
		data, _ := c.Section(name)
		for _, m := range hostRE.FindAllStringSubmatch(string(data), -1) {
			if h := m[1]; !seen[h] {
				seen[h] = true
				env.hosts = append(env.hosts, h)
			}
		}
	}
	return env
}

func (env *registryEnv) add(key, digest string) {
	env.digests[key] = digest
	if old, ok := env.names[digest]; !ok || len(key) < len(old) || len(key) == len(old) && key < old {
		env.names[digest] = key
	}
}

var placeholderRE = regexp.MustCompile(`\{\{(short )?([^{}]+)\}\}`)

// fill replaces placeholders with digests.
func (env *registryEnv) fill(b []byte) []byte {
	return placeholderRE.ReplaceAllFunc(b, func(m []byte) []byte {
		sm := placeholderRE.FindSubmatch(m)
		d, ok := env.digests[string(sm[2])]
		if !ok {
			panic(fmt.Sprintf("no digest for placeholder %s (known: %v)", m, env.keys()))
		}
		if len(sm[1]) > 0 {
			d = short(d)
		}
		return []byte(d)
	})
}

func (env *registryEnv) keys() []string {
	var ks []string
	for k := range env.digests {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

var (
	fullDigestRE  = regexp.MustCompile(`sha256:[0-9a-f]{64}`)
	shortDigestRE = regexp.MustCompile(`sha256:[0-9a-f]{12}`)
)

// blank replaces known digests with placeholders (unknown ones stay) and
// the test server's address with {{registry}}.
func (env *registryEnv) blank(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte(env.srv.Host()), []byte("{{registry}}"))
	b = fullDigestRE.ReplaceAllFunc(b, func(d []byte) []byte {
		if k, ok := env.names[string(d)]; ok {
			return []byte("{{" + k + "}}")
		}
		return d
	})
	shorts := map[string]string{}
	for d, k := range env.names {
		shorts[short(d)] = k
	}
	return shortDigestRE.ReplaceAllFunc(b, func(d []byte) []byte {
		if k, ok := shorts[string(d)]; ok {
			return []byte("{{short " + k + "}}")
		}
		return d
	})
}

// resolver returns a resolver that reaches every registry through the
// test server, with quick retries and no credentials but the case's.
func (env *registryEnv) resolver(t transformtest.Testing, lf *lockfile.File, offline bool) *resolve.Resolver {
	opts := []resolve.Option{
		resolve.WithKeychain(authn.NewMultiKeychain()),
		resolve.WithRetry(resolve.Retry{Initial: 5 * time.Millisecond, Max: 50 * time.Millisecond}),
		resolve.WithTimeouts(resolve.Timeouts{ResponseHeader: time.Second, Lookup: 10 * time.Second}),
	}
	if env.auth != nil && env.auth.Username != "" {
		opts[0] = resolve.WithKeychain(staticKeychain{env.srv.Host(), &authn.Basic{Username: env.auth.Username, Password: env.auth.Password}})
	}
	for _, h := range env.hosts {
		opts = append(opts, resolve.WithMirror(h, env.srv.URL()))
	}
	if lf != nil {
		opts = append(opts, resolve.WithLockfile(lf))
	}
	if offline {
		opts = append(opts, resolve.WithOffline())
	}
	r, err := resolve.New(opts...)
	if err != nil {
		t.Fatalf("%v", err)
		return nil
	}
	t.Cleanup(r.Close)
	return r
}

// staticKeychain hands out one credential for one host.
type staticKeychain struct {
	host string
	auth authn.Authenticator
}

func (k staticKeychain) Resolve(r authn.Resource) (authn.Authenticator, error) {
	if r.RegistryStr() == k.host {
		return k.auth, nil
	}
	return authn.Anonymous, nil
}

// requests renders the registry's request counts in the order and shape
// of want's lines.
func (env *registryEnv) requests(want string) string {
	var b strings.Builder
	for _, line := range strings.Split(strings.TrimSpace(want), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		method := f[0]
		if method == "*" {
			method = ""
		}
		n := env.srv.Count(method, "/"+f[1]+"/")
		fmt.Fprintf(&b, "%s %s %d\n", f[0], f[1], n)
	}
	return b.String()
}

func parseFaults(s string) (testregistry.Faults, *testregistry.Auth, error) {
	var f testregistry.Faults
	var auth *testregistry.Auth
	for _, w := range strings.Fields(s) {
		k, v, _ := strings.Cut(w, "=")
		var err error
		switch k {
		case "latency":
			f.Latency, err = time.ParseDuration(v)
		case "match":
			f.Match = v
		case "fail503":
			f.Fail503, err = strconv.Atoi(v)
		case "fail429":
			f.Fail429, err = strconv.Atoi(v)
		case "retry-after":
			f.RetryAfter, err = time.ParseDuration(v)
		case "stall":
			f.Stall, err = strconv.Atoi(v)
		case "stall-for":
			f.StallFor, err = time.ParseDuration(v)
		case "reset":
			f.Reset, err = strconv.Atoi(v)
		case "auth":
			auth = &testregistry.Auth{}
			if v != "" {
				auth.Username, auth.Password, _ = strings.Cut(v, ":")
			}
		default:
			err = fmt.Errorf("unknown fault %q", k)
		}
		if err != nil {
			return f, nil, fmt.Errorf("faults: %s: %w", w, err)
		}
	}
	return f, auth, nil
}

var timeRE = regexp.MustCompile(`"resolved": "[^"]*"`)

func blankTimes(b []byte) []byte { return timeRE.ReplaceAll(b, []byte(`"resolved": "T"`)) }
