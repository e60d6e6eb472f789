package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/dockmend/dockmend/internal/buildtest"
	"github.com/dockmend/dockmend/internal/golden"
	"github.com/dockmend/dockmend/internal/testregistry"
)

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"dockmend":    main,
		"fake-docker": fakeDocker,
	})
}

// TestScript runs the scripts in testdata/script. Besides testscript's
// commands they may use:
//
//	exits CODE PROGRAM [ARGS...]   run PROGRAM like exec; it must exit with CODE
//	backdate FILE...               set the files' modification time to 2001-01-01
//	[!] backdated FILE...          the files still have that time: nothing rewrote them
//	[!] mode PERM FILE...          the files' permission bits are PERM (octal)
//	[!] islink FILE...             the files are symbolic links
//	writefile FILE PART...         write the PARTs, Go-escaped text ('\x00'), to FILE;
//	                               a PART repeat:N:TEXT is TEXT N times
//	registry [OPTION...] NAME SPEC...
//	                               start a test registry (internal/testregistry) seeded
//	                               with the image SPECs; $NAME is its host:port. OPTIONs:
//	                               -token (bearer tokens), -user=U -password=P (required
//	                               at the token endpoint), and the hostile faults
//	                               -redirect=self|chain, -head-digest=DIGEST, -echo-auth,
//	                               -match=SUBSTR (see testregistry.Faults)
//	[!] requests NAME N METHOD PATH
//	                               registry NAME got N requests METHOD on paths containing PATH
//	[!] json FILE QUERY [REGEXP]   FILE holds JSON with a value at QUERY (that, as text,
//	                               matches REGEXP, anchored at both ends); negated: it has
//	                               no such value
//	json -set NAME FILE QUERY      set $NAME to the value at QUERY, as text
//	buildenv                       real image builds: a storage root of the
//	                               script's own (internal/buildtest), its
//	                               CONTAINERS_* variables set, $BASE the busybox
//	                               base image (guard it with [!builds] skip)
//	waitfile PATTERN               wait until a file matches the glob PATTERN (a
//	                               background command made it); fails after 2 minutes
//
// fake-docker is a stand-in for the docker command line (see fakeDocker);
// $TSBIN is the directory of the script commands, for a PATH without the
// machine's tools.
//
// A QUERY is object keys separated by dots, each optionally followed by
// [N], the array element N, or [KEY=VALUE], the one array element whose
// string field KEY is VALUE: repositories[path=a/b].files[0].path. A
// value "as text" is a string's content or, for others, compact JSON.
//
// and the conditions [root], true when running as root (who may read any
// file), and [builds], true when real image builds run here (an error
// under CI=true when they cannot). Rules are registered statically: a
// script uses them as they are, and a renamed rule fails it rather than
// skipping it.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		UpdateScripts:       golden.Update(), // -update rewrites the cmp targets
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			env.Values[registriesKey{}] = map[string]*testregistry.Server{}
			// Colour must not depend on the caller's terminal settings.
			for _, k := range []string{"NO_COLOR", "FORCE_COLOR", "CLICOLOR_FORCE"} {
				env.Setenv(k, "")
			}
			env.Setenv("TERM", "dumb")
			if dir, _, ok := strings.Cut(env.Getenv("PATH"), string(os.PathListSeparator)); ok {
				env.Setenv("TSBIN", dir)
			}
			return nil
		},
		Condition: func(cond string) (bool, error) {
			if cond == "root" {
				return os.Geteuid() == 0, nil
			}
			if cond == "builds" {
				why := buildtest.Unavailable()
				if why != "" && buildtest.Required() {
					return false, fmt.Errorf("%s; CI=true requires the build tests", why)
				}
				return why == "", nil
			}
			return false, errors.New("unknown condition " + cond)
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exits":     cmdExits,
			"backdate":  cmdBackdate,
			"backdated": cmdBackdated,
			"mode":      cmdMode,
			"islink":    cmdIsLink,
			"writefile": cmdWriteFile,
			"registry":  cmdRegistry,
			"requests":  cmdRequests,
			"json":      cmdJSON,
			"buildenv":  cmdBuildEnv,
			"waitfile":  cmdWaitFile,
		},
	})
}

func cmdBuildEnv(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: buildenv")
	}
	if why := buildtest.Unavailable(); why != "" {
		ts.Fatalf("%s (guard the script with [!builds] skip)", why)
	}
	e, err := buildtest.Create()
	if e != nil {
		ts.Defer(func() {
			if err := e.Close(); err != nil {
				ts.Logf("removing the build storage: %v", err)
			}
		})
	}
	ts.Check(err)
	for _, kv := range e.Vars {
		k, v, _ := strings.Cut(kv, "=")
		ts.Setenv(k, v)
	}
	ts.Setenv("BASE", buildtest.BaseImage)
}

func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits CODE PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	err = ts.Exec(args[1], args[2:]...)
	got := 0
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		got = ee.ExitCode()
	case err != nil:
		ts.Fatalf("%s: %v", args[1], err)
	}
	if got != want {
		ts.Fatalf("%s exited with %d, want %d", args[1], got, want)
	}
}

// backdateTime is the time backdate sets.
func backdateTime() time.Time { return time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC) }

func cmdBackdate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 {
		ts.Fatalf("usage: backdate FILE...")
	}
	for _, f := range args {
		ts.Check(os.Chtimes(ts.MkAbs(f), backdateTime(), backdateTime()))
	}
}

func cmdBackdated(ts *testscript.TestScript, neg bool, args []string) {
	for _, f := range args {
		fi, err := os.Stat(ts.MkAbs(f))
		ts.Check(err)
		if old := fi.ModTime().Equal(backdateTime()); old == neg {
			ts.Fatalf("%s: modified %s; backdated: %v, want %v", f, fi.ModTime(), old, !neg)
		}
	}
}

func cmdMode(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 2 {
		ts.Fatalf("usage: mode PERM FILE...")
	}
	want, err := strconv.ParseUint(args[0], 8, 32)
	ts.Check(err)
	for _, f := range args[1:] {
		fi, err := os.Stat(ts.MkAbs(f))
		ts.Check(err)
		if got := uint64(fi.Mode().Perm()); (got == want) == neg {
			ts.Fatalf("%s: mode %#o; want %#o: %v", f, got, want, !neg)
		}
	}
}

func cmdIsLink(ts *testscript.TestScript, neg bool, args []string) {
	for _, f := range args {
		fi, err := os.Lstat(ts.MkAbs(f))
		ts.Check(err)
		if link := fi.Mode()&os.ModeSymlink != 0; link == neg {
			ts.Fatalf("%s: symbolic link: %v, want %v", f, link, !neg)
		}
	}
}

func cmdWriteFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: writefile FILE PART...")
	}
	var b strings.Builder
	for _, part := range args[1:] {
		n := 1
		if rest, ok := strings.CutPrefix(part, "repeat:"); ok {
			count, text, _ := strings.Cut(rest, ":")
			var err error
			n, err = strconv.Atoi(count)
			ts.Check(err)
			part = text
		}
		text, err := strconv.Unquote(`"` + part + `"`)
		ts.Check(err)
		b.WriteString(strings.Repeat(text, n))
	}
	path := ts.MkAbs(args[0])
	ts.Check(os.MkdirAll(filepath.Dir(path), 0o777))
	ts.Check(os.WriteFile(path, []byte(b.String()), 0o666))
}

func cmdWaitFile(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: waitfile PATTERN")
	}
	// The bound only keeps a broken script from hanging; it is not a
	// timing check.
	for deadline := time.Now().Add(2 * time.Minute); ; time.Sleep(20 * time.Millisecond) {
		matches, err := filepath.Glob(ts.MkAbs(args[0]))
		ts.Check(err)
		if len(matches) > 0 {
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no file matches %s after 2 minutes", args[0])
		}
	}
}

// registriesKey keys the script's test registries, by name, in its Values.
type registriesKey struct{}

func cmdRegistry(ts *testscript.TestScript, neg bool, args []string) {
	usage := "usage: registry [-token] [-user=U] [-password=P] [-redirect=MODE] [-head-digest=D] [-echo-auth] [-match=S] NAME SPEC..."
	var faults testregistry.Faults
	var auth *testregistry.Auth
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		k, v, _ := strings.Cut(strings.TrimPrefix(args[0], "-"), "=")
		args = args[1:]
		if auth == nil && (k == "token" || k == "user" || k == "password") {
			auth = &testregistry.Auth{}
		}
		switch k {
		case "token":
		case "user":
			auth.Username = v
		case "password":
			auth.Password = v
		case "redirect":
			faults.Redirect = testregistry.Redirect(v)
		case "head-digest":
			faults.HeadDigest = v
		case "echo-auth":
			faults.EchoAuth = true
		case "match":
			faults.Match = v
		default:
			ts.Fatalf("%s", usage)
		}
	}
	if neg || len(args) < 2 {
		ts.Fatalf("%s", usage)
	}
	var imgs []testregistry.Image
	for _, spec := range args[1:] {
		img, err := testregistry.ParseImage(spec)
		ts.Check(err)
		imgs = append(imgs, img)
	}
	opts := []testregistry.Option{testregistry.WithFaults(faults)}
	if auth != nil {
		opts = append(opts, testregistry.WithTokenAuth(*auth))
	}
	srv, err := testregistry.Start(opts...)
	ts.Check(err)
	ts.Defer(func() { srv.Close() })
	_, err = srv.Seed(context.Background(), imgs...)
	ts.Check(err)
	srv.ResetLog()
	ts.Value(registriesKey{}).(map[string]*testregistry.Server)[args[0]] = srv
	ts.Setenv(args[0], srv.Host())
}

func cmdRequests(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 4 {
		ts.Fatalf("usage: requests NAME N METHOD PATH")
	}
	srv := ts.Value(registriesKey{}).(map[string]*testregistry.Server)[args[0]]
	if srv == nil {
		ts.Fatalf("no registry %s", args[0])
	}
	want, err := strconv.Atoi(args[1])
	ts.Check(err)
	if got := srv.Count(args[2], args[3]); (got == want) == neg {
		ts.Fatalf("registry %s: %d %s requests on %s; want %d: %v", args[0], got, args[2], args[3], want, !neg)
	}
}

func cmdJSON(ts *testscript.TestScript, neg bool, args []string) {
	set := ""
	if len(args) > 0 && args[0] == "-set" {
		if neg || len(args) != 4 {
			ts.Fatalf("usage: json -set NAME FILE QUERY")
		}
		set, args = args[1], args[2:]
	}
	if len(args) < 2 || len(args) > 3 {
		ts.Fatalf("usage: json FILE QUERY [REGEXP]")
	}
	data, err := os.ReadFile(ts.MkAbs(args[0]))
	ts.Check(err)
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		ts.Fatalf("%s: %v", args[0], err)
	}
	got, err := jsonQuery(v, args[1])
	switch {
	case err != nil && set != "":
		ts.Fatalf("%s: %v", args[0], err)
	case err != nil && neg:
		return
	case err != nil:
		ts.Fatalf("%s: %v", args[0], err)
	}
	text, ok := got.(string)
	if !ok {
		b, err := json.Marshal(got)
		ts.Check(err)
		text = string(b)
	}
	if set != "" {
		ts.Setenv(set, text)
		return
	}
	if len(args) == 2 {
		if neg {
			ts.Fatalf("%s: %s is %s, want no value", args[0], args[1], text)
		}
		return
	}
	re, err := regexp.Compile(`^(?:` + args[2] + `)$`)
	ts.Check(err)
	if match := re.MatchString(text); match == neg {
		ts.Fatalf("%s: %s is %s; matches %q: %v, want %v", args[0], args[1], text, args[2], match, !neg)
	}
}

// jsonQuery returns the value at query in v; see TestScript.
func jsonQuery(v any, query string) (any, error) {
	for rest := query; rest != ""; {
		var key string
		if i := strings.IndexAny(rest, ".["); i < 0 {
			key, rest = rest, ""
		} else {
			key, rest = rest[:i], rest[i:]
		}
		if key != "" {
			obj, ok := v.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an object before %q", query, key)
			}
			if v, ok = obj[key]; !ok {
				return nil, fmt.Errorf("%s: no key %q", query, key)
			}
		}
		for strings.HasPrefix(rest, "[") {
			end := strings.IndexByte(rest, ']')
			if end < 0 {
				return nil, fmt.Errorf("%s: unclosed [", query)
			}
			sel := rest[1:end]
			rest = rest[end+1:]
			arr, ok := v.([]any)
			if !ok {
				return nil, fmt.Errorf("%s: not an array before [%s]", query, sel)
			}
			if k, want, ok := strings.Cut(sel, "="); ok {
				var found []any
				for _, e := range arr {
					if obj, ok := e.(map[string]any); ok && obj[k] == want {
						found = append(found, e)
					}
				}
				if len(found) != 1 {
					return nil, fmt.Errorf("%s: %d elements with %s", query, len(found), sel)
				}
				v = found[0]
				continue
			}
			n, err := strconv.Atoi(sel)
			if err != nil || n < 0 || n >= len(arr) {
				return nil, fmt.Errorf("%s: no element [%s] in %d", query, sel, len(arr))
			}
			v = arr[n]
		}
		rest = strings.TrimPrefix(rest, ".")
	}
	return v, nil
}
