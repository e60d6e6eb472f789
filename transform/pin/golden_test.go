package pin

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"golang.org/x/tools/txtar"

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
// A case is transformtest's format (Dockerfile, Dockerfile.golden,
// findings, options) plus:
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
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases in testdata: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			t.Parallel()
			runGolden(t, file)
		})
	}
}

func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

type goldenCase struct {
	file     string
	ar       *txtar.Archive
	sections map[string][]byte
}

func (c *goldenCase) section(name string) ([]byte, bool) {
	b, ok := c.sections[name]
	return b, ok
}

func (c *goldenCase) set(name string, data []byte) {
	for i := range c.ar.Files {
		if c.ar.Files[i].Name == name {
			c.ar.Files[i].Data = data
			return
		}
	}
	c.ar.Files = append(c.ar.Files, txtar.File{Name: name, Data: data})
}

func (c *goldenCase) remove(name string) {
	for i := range c.ar.Files {
		if c.ar.Files[i].Name == name {
			c.ar.Files = append(c.ar.Files[:i], c.ar.Files[i+1:]...)
			return
		}
	}
}

func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	c := &goldenCase{file: file, ar: ar, sections: map[string][]byte{}}
	for _, f := range ar.Files {
		c.sections[f.Name] = f.Data
	}
	env := newRegistryEnv(t, c)
	input := env.fill(unescape(c.sections["Dockerfile"]))

	opts := Options{}
	eopts := engine.Options{}
	var offline, lock bool
	if o, ok := c.section("options"); ok {
		for _, w := range strings.Fields(string(o)) {
			k, v, _ := strings.Cut(w, "=")
			switch k {
			case "unsafe":
				eopts.UnsafeFixes = true
			case "nofix":
				eopts.NoFix = true
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
			}
		}
	}
	var lf *lockfile.File
	if data, ok := c.section("dockmend.lock"); ok && !lock {
		lf, err = lockfile.Decode(bytes.NewReader(env.fill(data)), lockfile.JSON)
		if err != nil {
			t.Fatalf("lock file: %v", err)
		}
	} else if lock {
		lf = lockfile.New()
	}
	r := env.resolver(t, lf, offline)
	opts.Resolver = r
	eopts.Transformers = []*transform.Transformer{New(opts)}

	ctx := context.Background()
	res, err := engine.Run(ctx, "Dockerfile", input, eopts)
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	changed := false
	check := func(name string, got []byte, present bool) {
		want, ok := c.section(name)
		switch {
		case updating() && present:
			c.set(name, got)
			changed = changed || !bytes.Equal(got, want)
		case updating():
			c.remove(name)
			changed = changed || ok
		case ok != present:
			t.Errorf("section %s: present %v, want %v\n%s", name, present, ok, got)
		case !present:
		case !bytes.Equal(got, want):
			t.Errorf("%s differs\n--- got ---\n%s--- want ---\n%s", name, got, want)
		}
	}
	check("findings", env.blank([]byte(formatFindings(res.Findings))), true)
	check("Dockerfile.golden", env.blank(escape(res.Output)), res.Changed())
	if lock {
		var buf bytes.Buffer
		if err := lf.Encode(&buf, lockfile.JSON); err != nil {
			t.Fatal(err)
		}
		check("dockmend.lock", env.blank(blankTimes(buf.Bytes())), true)
	}
	if want, ok := c.section("requests"); ok {
		got := env.requests(string(want))
		if updating() {
			c.set("requests", []byte(got))
			changed = changed || got != string(want)
		} else if got != string(want) {
			t.Errorf("requests differ\n--- got ---\n%s--- want ---\n%s", got, want)
		}
	}
	if changed {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if !eopts.NoFix {
		transformtest.CheckInvariants(t, input, res.Output, eopts)
		checkAfterFix(t, res, eopts)
	}
}

// checkAfterFix checks that "dockmend check" with the same rules and
// flags finds nothing in the fixed file that the fix introduced: each of
// its findings was on the input already, with the same message.
func checkAfterFix(t testing.TB, res *engine.Result, eopts engine.Options) {
	t.Helper()
	eopts.NoFix = true
	after, err := engine.Run(context.Background(), res.Path, res.Output, eopts)
	if err != nil {
		t.Fatalf("check after fix: %v", err)
	}
	before := map[string]int{}
	for _, f := range res.Findings {
		before[f.Message]++
	}
	for _, f := range after.Findings {
		if before[f.Message] == 0 {
			t.Errorf("%s: check after fix reports what the fix introduced: %d:%d %s", res.Path, f.Line, f.Col, f.Message)
			continue
		}
		before[f.Message]--
	}
}

// formatFindings is transformtest.FormatFindings with " [failed]" after
// the findings about work the rule could not do (commands exit 2 on them).
func formatFindings(fs []engine.Finding) string {
	lines := strings.SplitAfter(transformtest.FormatFindings(fs), "\n")
	for i, f := range fs {
		if f.Failed {
			lines[i] = strings.TrimSuffix(lines[i], "\n") + " [failed]\n"
		}
	}
	return strings.Join(lines, "")
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

func newRegistryEnv(t *testing.T, c *goldenCase) *registryEnv {
	t.Helper()
	env := &registryEnv{digests: map[string]string{}, names: map[string]string{}}
	var sopts []testregistry.Option
	if f, ok := c.section("faults"); ok {
		faults, auth, err := parseFaults(string(f))
		if err != nil {
			t.Fatal(err)
		}
		sopts = append(sopts, testregistry.WithFaults(faults))
		if auth != nil {
			env.auth = auth
			sopts = append(sopts, testregistry.WithTokenAuth(*auth))
		}
	}
	srv, err := testregistry.Start(sopts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	env.srv = srv
	images, err := testregistry.ParseSpec(bytes.NewReader(c.sections["registry"]))
	if err != nil {
		t.Fatalf("registry section: %v", err)
	}
	seeded, err := srv.Seed(context.Background(), images...)
	if err != nil {
		t.Fatal(err)
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
		for _, m := range hostRE.FindAllStringSubmatch(string(c.sections[name]), -1) {
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
func (env *registryEnv) resolver(t *testing.T, lf *lockfile.File, offline bool) *resolve.Resolver {
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
		t.Fatal(err)
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

// unescape and escape spell special bytes as transformtest does: "<CR>",
// "<TAB>", and a final "<NOEOL>" line.
func unescape(b []byte) []byte {
	s := strings.ReplaceAll(string(b), "<CR>", "\r")
	s = strings.ReplaceAll(s, "<TAB>", "\t")
	s, _ = strings.CutSuffix(s, "\n<NOEOL>\n")
	return []byte(s)
}

func escape(b []byte) []byte {
	s := strings.ReplaceAll(string(b), "\r", "<CR>")
	if !strings.HasSuffix(s, "\n") {
		s += "\n<NOEOL>\n"
	}
	return []byte(s)
}
