package verify_test

import (
	"context"
	"encoding/json"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/internal/buildtest"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/verify"
	"github.com/dockmend/dockmend/transform"
)

// swap is a test rule whose unsafe fix replaces the text from with to,
// unless the file has to already.
func swap(name, from, to string) *transform.Transformer {
	return &transform.Transformer{Name: name, Doc: name + ": a test rule", Default: true, Run: func(p *transform.Pass) error {
		i := strings.Index(string(p.File.Data), from)
		if i < 0 || strings.Contains(string(p.File.Data), to) {
			return nil
		}
		p.Report(transform.Finding{Start: i, End: i + len(from), Message: name,
			Fix: &transform.Fix{Message: name, Applicability: transform.Unsafe, Edits: []transform.Edit{{Start: i, End: i + len(from), New: to}}}})
		return nil
	}}
}

// isolated makes t's fixes Isolated, as the multi-stage split's are: the
// engine applies them alone, and the other rules see the new structure.
func isolated(t *transform.Transformer) *transform.Transformer {
	run := t.Run
	t.Run = func(p *transform.Pass) error {
		return run(&transform.Pass{Context: p.Context, File: p.File, Transformer: p.Transformer, Report: func(f transform.Finding) {
			f.Fix.Isolated = true
			p.Report(f)
		}})
	}
	return t
}

// unlessSplit makes t report nothing on a file split into stages, as the
// apt rule leaves a build stage's install alone.
func unlessSplit(t *transform.Transformer) *transform.Transformer {
	run := t.Run
	t.Run = func(p *transform.Pass) error {
		if strings.Contains(string(p.File.Data), "COPY --from=build") {
			return nil
		}
		return run(p)
	}
	return t
}

// safeRule is a test rule with a safe fix.
func safeRule(from, to string) *transform.Transformer {
	t := swap("tidy", from, to)
	run := t.Run
	t.Run = func(p *transform.Pass) error {
		return run(&transform.Pass{Context: p.Context, File: p.File, Transformer: p.Transformer, Report: func(f transform.Finding) {
			f.Fix.Applicability = transform.Safe
			p.Report(f)
		}})
	}
	return t
}

// needy is a test rule that cannot fix a file without a build: it
// reports a finding that needs one. Informed by the build (when inform),
// it splits the file, copying the directory of the first script the
// build made that runs /bin/sh, which the facts name.
func needy(inform bool) *transform.Transformer {
	t := &transform.Transformer{Name: "needy", Doc: "needy: a test rule", Default: true}
	t.Run = func(p *transform.Pass) error {
		if i := strings.Index(string(p.File.Data), "\nCMD"); i >= 0 && !strings.Contains(string(p.File.Data), "COPY --from") {
			p.Report(transform.Finding{Start: i, End: i + 4, Message: "needy: the image keeps its build; no fix: cannot tell what to copy", NeedsBuild: true})
		}
		return nil
	}
	t.Inform = func(facts *buildfacts.Facts) *transform.Transformer {
		if !inform {
			return nil
		}
		for _, f := range facts.Files {
			if f.Interpreter == "/bin/sh" && f.InterpreterPackage == "" {
				dir := path.Dir(f.Path)
				return swap("needy", "\nCMD", "\nFROM "+base+"\nCOPY --from=build "+dir+" "+dir+"\nCMD")
			}
		}
		return nil
	}
	return t
}

const base = buildtest.BaseImage

// The application of the tests: a script built into /app, its
// configuration in /etc, and a fake apt-get that installs "tool", and
// "tool-extra" too unless told --no-install-recommends.
const aptGet = `#!/bin/sh
case " $* " in *" install "*) ;; *) exit 0 ;; esac
pkg() { # pkg NAME FILE: install FILE and record it in dpkg's database
  mkdir -p /var/lib/dpkg/info
  printf 'Package: %s\nStatus: install ok installed\nVersion: 1.0\n\n' "$1" >> /var/lib/dpkg/status
  printf '/usr\n/usr/bin\n%s\n' "$2" > /var/lib/dpkg/info/$1.list
}
pkg apt /usr/bin/apt-get
printf '#!/bin/sh\necho tool 1.0\n' > /usr/bin/tool; chmod +x /usr/bin/tool; pkg tool /usr/bin/tool
case " $* " in *" --no-install-recommends "*) exit 0 ;; esac
printf '#!/bin/sh\necho extra 1.0\n' > /usr/bin/tool-extra; chmod +x /usr/bin/tool-extra; pkg tool-extra /usr/bin/tool-extra
`

type scenario struct {
	name       string
	dockerfile string
	rules      []*transform.Transformer
	smoke      *verify.Smoke
	status     verify.Status
	kept       []string
	dropped    map[string]string // rule -> text its reason contains
	output     string            // text the verified output contains ("" to skip)
	builds     int
}

func scenarios() []scenario {
	app := `FROM ` + base + ` AS build
RUN mkdir -p /app && printf '#!/bin/sh\nid -un\nsha256sum /app/data | cut -c1-8\n' > /app/run && chmod 755 /app/run \
 && echo hello > /app/data
`
	split := func(extra string) *transform.Transformer {
		return swap("split", "\nCMD", "\nFROM "+base+"\nCOPY --from=build /app /app\n"+extra+"CMD")
	}
	return []scenario{{
		name:       "passing split",
		dockerfile: app + "WORKDIR /app\nCMD [\"/app/run\"]\n",
		rules:      []*transform.Transformer{swap("split", "\nWORKDIR /app\nCMD", "\nFROM "+base+"\nCOPY --from=build /app /app\nWORKDIR /app\nCMD")},
		smoke:      &verify.Smoke{},
		status:     verify.Verified, kept: []string{"split"}, builds: 2,
		output: "COPY --from=build /app /app",
	}, {
		name:       "split that loses a file",
		dockerfile: app + "RUN echo 'mode=fast' > /etc/app.conf\nCMD [\"/app/run\"]\n",
		rules:      []*transform.Transformer{split("")},
		status:     verify.Dropped, dropped: map[string]string{"split": "/etc/app.conf (file, 10 bytes), which the Dockerfile's steps made, is missing"},
		builds: 2,
	}, {
		name: "split whose program fails only when run",
		// The new final stage starts from an image without a user
		// database: the files and the configuration are all there.
		dockerfile: "FROM " + base + " AS slim\nRUN rm /etc/passwd /etc/group\n" + app + "CMD [\"/app/run\"]\n",
		rules:      []*transform.Transformer{swap("split", "\nCMD", "\nFROM slim\nCOPY --from=build /app /app\nCMD")},
		smoke:      &verify.Smoke{Args: []string{"/app/run"}},
		status:     verify.Dropped, dropped: map[string]string{"split": "the smoke command prints other output (28 bytes, not 14)"},
		builds: 2,
	}, {
		name: "apt fix that breaks the build while the split is kept",
		dockerfile: "FROM " + base + " AS build\nCOPY apt-get /usr/bin/apt-get\n" +
			"RUN apt-get install -y tool && tool-extra > /extra.txt\n" +
			"RUN mkdir -p /app && tool > /app/version\nCMD [\"cat\", \"/app/version\"]\n",
		rules: []*transform.Transformer{
			safeRule("RUN apt-get install", "RUN  apt-get install"),
			swap("norec", "install -y", "install --no-install-recommends -y"),
			swap("split", "\nCMD", "\nFROM "+base+"\nCOPY --from=build /app /app\nCOPY --from=build /extra.txt /extra.txt\nCMD"),
		},
		smoke:  &verify.Smoke{},
		status: verify.Dropped, kept: []string{"split"},
		dropped: map[string]string{"norec": "does not build"},
		// original, both fixes (fails: norec), norec alone (fails), split alone (passes)
		builds: 4,
		output: "RUN  apt-get install -y tool",
	}, {
		// The split goes first and the other rule then leaves the build
		// stage alone, so its fix is not in the file with every fix; once
		// the split is dropped, it is tried, and kept.
		name:       "fix that applies only without the split it lost to",
		dockerfile: app + "RUN echo 'mode=fast' > /etc/app.conf\nRUN echo 1 > /app/level\nCMD [\"/app/run\"]\n",
		rules: []*transform.Transformer{
			isolated(split("")),
			unlessSplit(swap("level", "echo 1 > /app/level", "echo 2 > /app/level")),
		},
		status: verify.Dropped, kept: []string{"level"},
		dropped: map[string]string{"split": "/etc/app.conf (file, 10 bytes), which the Dockerfile's steps made, is missing"},
		// original, the split (fails), the level fix alone (passes)
		builds: 3,
		output: "RUN echo 2 > /app/level\nCMD",
	}}
}

func TestVerifyBuildah(t *testing.T) {
	env := buildtest.New(t)
	b, err := builder.New("buildah", env.Buildah, env.Vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios() {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, env, b, sc) })
	}
	t.Run("unchanged", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "Dockerfile", "FROM "+base+"\nCMD [\"true\"]\n")
		res := runOne(t, b, &verify.File{Path: filepath.Join(dir, "Dockerfile"), Engine: engine.Options{Transformers: []*transform.Transformer{swap("split", "nothing", "x")}}}, verify.Options{})
		if res.Status != verify.Unchanged || res.Builds != 0 {
			t.Errorf("status %s after %d builds, want unchanged and none", res.Status, res.Builds)
		}
	})
	t.Run("informed by the build", func(t *testing.T) {
		df := "FROM " + base + " AS build\nRUN mkdir -p /app && printf '#!/bin/sh\\necho hi\\n' > /app/run && chmod 755 /app/run\nCMD [\"/app/run\"]\n"
		for _, tt := range []struct {
			name   string
			inform bool
			status verify.Status
			builds int
			note   string
		}{
			{"fixed", true, verify.Verified, 2, "needy: named from the build of the original what it could not name from the Dockerfile (cannot tell what to copy)"},
			{"still not fixed", false, verify.Unchanged, 1, "needy: not fixed: cannot tell what to copy"},
		} {
			t.Run(tt.name, func(t *testing.T) {
				dir := t.TempDir()
				writeFile(t, dir, "Dockerfile", df)
				f := &verify.File{Path: filepath.Join(dir, "Dockerfile"), Engine: engine.Options{Transformers: []*transform.Transformer{needy(tt.inform)}}, Build: verify.Build{Smoke: &verify.Smoke{}}}
				res := runOne(t, b, f, verify.Options{})
				if res.Status != tt.status || res.Builds != tt.builds || !slices.Contains(res.Notes, tt.note) {
					t.Errorf("status %s after %d builds, notes %q, error %q; want %s after %d, with %q", res.Status, res.Builds, res.Notes, res.Error, tt.status, tt.builds, tt.note)
				}
				if tt.inform && (!slices.Equal(res.Informed, []string{"needy"}) || !strings.Contains(string(res.Output), "COPY --from=build /app /app\n")) {
					t.Errorf("informed %q, output:\n%s", res.Informed, res.Output)
				}
			})
		}
	})
	t.Run("original does not build", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "Dockerfile", "FROM "+base+"\nRUN exit 7\nCMD [\"true\"]\n")
		res := runOne(t, b, &verify.File{Path: filepath.Join(dir, "Dockerfile"), Engine: engine.Options{Transformers: []*transform.Transformer{swap("split", "CMD", "FROM scratch\nCMD")}}}, verify.Options{})
		if res.Status != verify.Error || !strings.Contains(res.Error, "the original does not build") || res.Builds != 1 {
			t.Errorf("status %s, %d builds, error %q", res.Status, res.Builds, res.Error)
		}
	})
	t.Run("timeout", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "Dockerfile", "FROM "+base+"\nRUN echo a > /a\nCMD [\"true\"]\n")
		rules := []*transform.Transformer{swap("split", "RUN echo a > /a", "RUN echo a > /a && sleep 300")}
		start := time.Now()
		res := runOne(t, b, &verify.File{Path: filepath.Join(dir, "Dockerfile"), Engine: engine.Options{Transformers: rules}}, verify.Options{Timeout: 5 * time.Second})
		if res.Status != verify.Dropped || !strings.Contains(res.Rules[0].Reason, "stopped after --timeout 5s") {
			t.Errorf("status %s, rules %+v", res.Status, res.Rules)
		}
		if d := time.Since(start); d > 90*time.Second {
			t.Errorf("took %s", d)
		}
		if out := env.Run(t, env.Buildah, "containers", "--quiet"); strings.TrimSpace(out) != "" {
			t.Errorf("containers left: %s", out)
		}
	})
}

// TestVerifyPodman runs the passing and the losing split with podman.
func TestVerifyPodman(t *testing.T) {
	env := buildtest.New(t)
	if env.Podman == "" {
		if buildtest.Required() {
			t.Fatal("podman is not installed")
		}
		t.Skip("podman is not installed")
	}
	b, err := builder.New("podman", env.Podman, env.Vars)
	if err != nil {
		t.Fatal(err)
	}
	for _, sc := range scenarios()[:2] {
		t.Run(sc.name, func(t *testing.T) { runScenario(t, env, b, sc) })
	}
}

func runScenario(t *testing.T, env *buildtest.Env, b builder.Builder, sc scenario) {
	dir := t.TempDir()
	writeFile(t, dir, "Dockerfile", sc.dockerfile)
	writeFile(t, dir, "apt-get", aptGet)
	os.Chmod(filepath.Join(dir, "apt-get"), 0o755)
	f := &verify.File{Path: filepath.Join(dir, "Dockerfile"), Engine: engine.Options{Transformers: sc.rules}, Build: verify.Build{Smoke: sc.smoke}}
	res := runOne(t, b, f, verify.Options{Write: atomicfile.Write})
	facts := res.Facts
	if res.Error != "" {
		t.Fatalf("error: %s", res.Error)
	}
	js, _ := json.MarshalIndent(res, "", "  ")
	t.Logf("result:\n%s", js)
	if res.Status != sc.status || res.Builds != sc.builds {
		t.Errorf("status %s after %d builds, want %s after %d", res.Status, res.Builds, sc.status, sc.builds)
	}
	if got := res.Kept(); !slices.Equal(got, sc.kept) {
		t.Errorf("kept %q, want %q", got, sc.kept)
	}
	for _, r := range res.Rules {
		want, drop := sc.dropped[r.Name]
		if drop == r.Kept || (drop && !strings.Contains(r.Reason, want)) {
			t.Errorf("rule %s: kept %v, reason %q; want dropped %v with %q", r.Name, r.Kept, r.Reason, drop, want)
		}
	}
	written, err := os.ReadFile(f.Path)
	if err != nil {
		t.Fatal(err)
	}
	if string(written) != string(res.Output) {
		t.Errorf("the file holds\n%s\nnot the verified output\n%s", written, res.Output)
	}
	if sc.output != "" && !strings.Contains(string(written), sc.output) {
		t.Errorf("the written file lacks %q:\n%s", sc.output, written)
	}
	if sc.status == verify.Dropped && len(sc.kept) == 0 && string(written) != sc.dockerfile {
		t.Errorf("a file whose fixes all failed was rewritten:\n%s", written)
	}
	if facts == nil || !slices.ContainsFunc(facts.Files, func(f buildfacts.File) bool { return f.Path == "/app" && f.Kind == "dir" }) {
		t.Errorf("the facts lack /app/run with its interpreter: %+v", facts)
	}
	// Nothing is left in the storage but the base and the build cache.
	format := "{{.Repository}}:{{.Tag}}"
	if b.Name() == "buildah" {
		format = "{{.Name}}:{{.Tag}}"
	}
	if out := env.Run(t, b.Name(), "images", "--format", format); strings.Contains(out, "dockmend-verify") {
		t.Errorf("images left:\n%s", out)
	}
}

func runOne(t *testing.T, b builder.Builder, f *verify.File, opts verify.Options) *verify.Result {
	t.Helper()
	var res *verify.Result
	opts.Builder = b
	opts.Emit = func(r *verify.Result) error { res = r; return nil }
	if err := verify.Run(context.Background(), []*verify.File{f}, opts); err != nil {
		t.Fatal(err)
	}
	return res
}

func writeFile(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}
