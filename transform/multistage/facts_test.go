package multistage

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/transform"
)

// ubuntuFacts is what a build of ubuntuDockerfile shows: the program
// loads libjansson (installed by the steps) and libc (the base image's),
// and the build installed ca-certificates through a dependency.
func ubuntuFacts() *buildfacts.Facts {
	return &buildfacts.Facts{
		Base: "ubuntu:22.04", PackageManager: "dpkg",
		Packages: map[string]buildfacts.Package{
			"libc6":           {Base: true, Depends: []string{"libgcc-s1"}},
			"libgcc-s1":       {Base: true},
			"bash":            {Base: true, Required: true},
			"gcc":             {Depends: []string{"libc6"}},
			"make":            {},
			"libjansson4":     {Depends: []string{"libc6"}},
			"libjansson-dev":  {Depends: []string{"libjansson4"}},
			"ca-certificates": {},
		},
		Files: []buildfacts.File{
			{Path: "/src", Kind: "dir"},
			{Path: "/src/app", Kind: "file", Executable: true, ELF: true, Interpreter: "/lib64/ld-linux-x86-64.so.2", InterpreterPackage: "libc6",
				Needs: []buildfacts.Library{
					{Name: "libjansson.so.4", Path: "/usr/lib/x86_64-linux-gnu/libjansson.so.4.14.0", Package: "libjansson4"},
					{Name: "libc.so.6", Path: "/usr/lib/x86_64-linux-gnu/libc.so.6", Package: "libc6"},
				}},
			{Path: "/src/main.c", Kind: "file"},
		},
	}
}

const ubuntuDockerfile = `FROM ubuntu:22.04
RUN apt-get update && apt-get install -y gcc make libjansson-dev
WORKDIR /src
COPY . .
RUN make
CMD ["./app"]
`

// TestInform checks the rule's side of a build-informed rewrite: without
// metadata for the release the finding has no fix and asks for a build;
// the rule informed with the build's facts splits the stage and installs
// the package that owns the library the program loads.
func TestInform(t *testing.T) {
	ctx := context.Background()
	rule := New(Options{})
	run := func(tr *transform.Transformer, df string) *engine.Result {
		t.Helper()
		res, err := engine.Run(ctx, "Dockerfile", []byte(df), engine.Options{Transformers: []*transform.Transformer{tr}, UnsafeFixes: true})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	res := run(rule, ubuntuDockerfile)
	if res.Changed() || len(res.Findings) != 1 || !res.Findings[0].NeedsBuild {
		t.Fatalf("without metadata: want one finding that needs a build, got %+v\n%s", res.Findings, res.Output)
	}
	// A problem a build cannot solve: no CMD.
	noCmd := strings.Replace(ubuntuDockerfile, "CMD [\"./app\"]\n", "", 1)
	if res := run(rule, noCmd); len(res.Findings) != 1 || res.Findings[0].NeedsBuild {
		t.Errorf("without CMD: want one finding that no build helps, got %+v", res.Findings)
	}
	// With metadata (bookworm), nothing needs a build.
	if res := run(rule, strings.Replace(ubuntuDockerfile, "ubuntu:22.04", "debian:bookworm", 1)); !res.Changed() || slices.ContainsFunc(res.Findings, func(f engine.Finding) bool { return f.NeedsBuild }) {
		t.Errorf("bookworm: want a fix and no finding that needs a build, got %+v", res.Findings)
	}
	if rule.Inform(nil) != nil {
		t.Error("Inform(nil) gives a rule")
	}
	// The program also loads a library of a package the base image had
	// (libzstd1, neither Essential nor required): the runtime base is the
	// same image, so it has it and the split does not install it.
	facts := ubuntuFacts()
	facts.Packages["libzstd1"] = buildfacts.Package{Base: true}
	app := &facts.Files[1]
	app.Needs = append(app.Needs, buildfacts.Library{Name: "libzstd.so.1", Path: "/usr/lib/x86_64-linux-gnu/libzstd.so.1", Package: "libzstd1"})
	informed := rule.Inform(facts)
	res = run(informed, ubuntuDockerfile)
	want := `FROM ubuntu:22.04 AS build
RUN apt-get update && apt-get install -y gcc make libjansson-dev
WORKDIR /src
COPY . .
RUN make

FROM ubuntu:22.04
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    ca-certificates libjansson4 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src /src
WORKDIR /src
CMD ["./app"]
`
	if string(res.Output) != want {
		t.Errorf("informed rewrite:\n%s\nwant:\n%s", res.Output, want)
	}
	if res := run(informed, string(res.Output)); res.Changed() || len(res.Findings) != 0 {
		t.Errorf("informed rewrite is not stable: %+v\n%s", res.Findings, res.Output)
	}
}

// TestFactsSource checks the packages a build's facts name.
func TestFactsSource(t *testing.T) {
	inst := func(name string, buildOnly bool) InstalledPackage {
		return InstalledPackage{Name: name, Operand: name, BuildOnly: buildOnly}
	}
	tests := []struct {
		name  string
		facts func(*buildfacts.Facts)
		q     PackageQuery
		want  []string
		err   string
	}{{
		name: "same base: owners the base lacks, data packages the steps installed",
		q:    PackageQuery{SameBase: true, Artifacts: []string{"/src"}, Installed: []InstalledPackage{inst("gcc", true), inst("libjansson-dev", true)}},
		want: []string{"ca-certificates", "libjansson4"},
	}, {
		name: "files outside the artifacts do not count",
		q:    PackageQuery{SameBase: true, Artifacts: []string{"/src/main.c"}},
		want: []string{"ca-certificates"},
	}, {
		name: "a staged install copies what it wrote anywhere",
		q:    PackageQuery{SameBase: true, Staged: true},
		want: []string{"ca-certificates", "libjansson4"},
	}, {
		name: "packages that are not build tools stay as written; the base's go",
		q:    PackageQuery{SameBase: true, Artifacts: []string{"/src"}, Installed: []InstalledPackage{inst("curl=7.81.0-1", false), inst("bash", false), inst("gcc", true)}},
		want: []string{"ca-certificates", "curl=7.81.0-1", "libjansson4"},
	}, {
		name: "another base: what every image has is left out, the rest named",
		facts: func(f *buildfacts.Facts) {
			p := f.Packages["ca-certificates"]
			p.Base = true
			f.Packages["ca-certificates"] = p
			f.Packages["bash"] = buildfacts.Package{Base: true, Required: true, Depends: []string{"libc6"}}
		},
		q:    PackageQuery{Artifacts: []string{"/src"}},
		want: []string{"libjansson4"},
	}, {
		name: "an interpreter: the full package of a -minimal one; a package another depends on comes with it",
		facts: func(f *buildfacts.Facts) {
			f.Packages["python3"] = buildfacts.Package{Depends: []string{"python3-minimal", "python3.10"}}
			f.Packages["python3-minimal"] = buildfacts.Package{Depends: []string{"python3.10-minimal"}}
			f.Packages["python3.10"] = buildfacts.Package{Depends: []string{"python3.10-minimal", "libpython3.10-stdlib"}}
			f.Packages["python3.10-minimal"] = buildfacts.Package{}
			f.Packages["libpython3.10-stdlib"] = buildfacts.Package{}
			f.Packages["libyaml-0-2"] = buildfacts.Package{}
			f.Files = append(f.Files,
				buildfacts.File{Path: "/usr/local/bin/tool", Interpreter: "/usr/bin/python3", InterpreterPackage: "python3-minimal"},
				buildfacts.File{Path: "/usr/local/lib/python3.10/dist-packages/_yaml.so", ELF: true, Needs: []buildfacts.Library{
					{Name: "libyaml-0.so.2", Path: "/usr/lib/x86_64-linux-gnu/libyaml-0.so.2", Package: "libyaml-0-2"},
					{Name: "libpython3.10.so.1.0", Path: "/usr/lib/x86_64-linux-gnu/libpython3.10.so.1.0", Package: "libpython3.10-stdlib"},
					{Name: "libgone.so.1"},
				}},
			)
		},
		q:    PackageQuery{SameBase: true, Artifacts: []string{"/usr/local"}, Needs: []string{"python"}},
		want: []string{"ca-certificates", "libyaml-0-2", "python3"},
	}, {
		name: "a script's interpreter: its package",
		facts: func(f *buildfacts.Facts) {
			f.Packages["gawk"] = buildfacts.Package{}
			f.Files = append(f.Files, buildfacts.File{Path: "/src/report.awk", Interpreter: "/usr/bin/gawk", InterpreterPackage: "gawk"})
		},
		q:    PackageQuery{SameBase: true, Artifacts: []string{"/src/report.awk"}},
		want: []string{"ca-certificates", "gawk"},
	}, {
		name: "a JDK gives its JRE; npm that the image runs stays; node-gyp's python goes",
		q: PackageQuery{SameBase: true, Run: []string{"npm"}, Installed: []InstalledPackage{
			inst("openjdk-17-jdk", true), inst("npm", true), {Name: "python3", Operand: "python3", Helper: true},
		}},
		want: []string{"ca-certificates", "npm", "openjdk-17-jre"},
	}, {
		name:  "no dpkg database",
		facts: func(f *buildfacts.Facts) { f.PackageManager = "apk" },
		err:   "no dpkg database",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ubuntuFacts()
			if tt.facts != nil {
				tt.facts(f)
			}
			got, err := NewFactsSource(f).RuntimePackages(tt.q)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Errorf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestInformToolchain checks what the rule tells the facts source when
// the runtime base is not the build's base image: a package the
// toolchain image had is named when the program loads it (the slim
// runtime base may lack it), and a file the new final stage does not
// copy (a configure test program left in /tmp) names nothing.
func TestInformToolchain(t *testing.T) {
	const df = `FROM golang:1.19-bullseye
RUN apt-get update && apt-get install -y libsqlite3-dev
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /usr/local/bin/app .
CMD ["app"]
`
	libc := buildfacts.Library{Name: "libc.so.6", Path: "/lib/x86_64-linux-gnu/libc.so.6", Package: "libc6"}
	facts := &buildfacts.Facts{
		Base: "golang:1.19-bullseye", PackageManager: "dpkg",
		Packages: map[string]buildfacts.Package{
			"libc6":          {Base: true, Required: true},
			"libgmp10":       {Base: true, Depends: []string{"libc6"}},
			"libxml2":        {Base: true, Depends: []string{"libc6"}},
			"libsqlite3-0":   {Depends: []string{"libc6"}},
			"libsqlite3-dev": {Depends: []string{"libsqlite3-0"}},
		},
		Files: []buildfacts.File{
			{Path: "/usr/local/bin/app", Kind: "file", Executable: true, ELF: true, InterpreterPackage: "libc6", Needs: []buildfacts.Library{
				{Name: "libsqlite3.so.0", Path: "/usr/lib/x86_64-linux-gnu/libsqlite3.so.0", Package: "libsqlite3-0"},
				{Name: "libgmp.so.10", Path: "/usr/lib/x86_64-linux-gnu/libgmp.so.10", Package: "libgmp10"},
				libc,
			}},
			{Path: "/tmp/conftest", Kind: "file", Executable: true, ELF: true, InterpreterPackage: "libc6", Needs: []buildfacts.Library{
				{Name: "libxml2.so.2", Path: "/usr/lib/x86_64-linux-gnu/libxml2.so.2", Package: "libxml2"},
				libc,
			}},
		},
	}
	rule := New(Options{})
	opts := engine.Options{Transformers: []*transform.Transformer{rule}, UnsafeFixes: true}
	res, err := engine.Run(context.Background(), "Dockerfile", []byte(df), opts)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || len(res.Findings) != 1 || !res.Findings[0].NeedsBuild {
		t.Fatalf("without metadata: want one finding that needs a build, got %+v", res.Findings)
	}
	opts.Transformers = []*transform.Transformer{rule.Inform(facts)}
	if res, err = engine.Run(context.Background(), "Dockerfile", []byte(df), opts); err != nil {
		t.Fatal(err)
	}
	want := `FROM golang:1.19-bullseye AS build
RUN apt-get update && apt-get install -y libsqlite3-dev
WORKDIR /src
COPY . .
RUN CGO_ENABLED=1 go build -o /usr/local/bin/app .

FROM debian:bullseye-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
    libgmp10 libsqlite3-0 \
 && rm -rf /var/lib/apt/lists/*
COPY --from=build /src /src
COPY --from=build /usr/local/bin/app /usr/local/bin/app
WORKDIR /src
CMD ["app"]
`
	if string(res.Output) != want {
		t.Errorf("informed rewrite:\n%s\nwant:\n%s", res.Output, want)
	}
}
