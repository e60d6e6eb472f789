package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestParse(t *testing.T) {
	yes, no := true, false
	tests := []struct {
		name    string
		yaml    string
		want    *Config
		wantErr string // substring; "" means success
	}{
		{name: "empty", yaml: "", want: &Config{}},
		{name: "comment only", yaml: "# nothing\n", want: &Config{}},
		{
			name: "every key",
			yaml: `select: [apt, pin]
ignore: [apk]
unsafe-fixes: true
exclude: ["testdata", "legacy/**"]
pin: false
registry-mirrors:
  docker.io: https://mirror.example.com
insecure-registries: [localhost:5000]
platform: linux/arm64/v8
lockfile: locks/dockmend.lock
concurrency: 4
build-args:
  BASE: debian:12
cache-mounts: true
build-contexts: [assets, base=../base]
`,
			want: &Config{
				Select: []string{"apt", "pin"}, Ignore: []string{"apk"}, UnsafeFixes: &yes,
				Exclude: []string{"testdata", "legacy/**"}, Pin: &no,
				RegistryMirrors:    map[string]string{"docker.io": "https://mirror.example.com"},
				InsecureRegistries: []string{"localhost:5000"}, Platform: "linux/arm64/v8",
				Lockfile: "locks/dockmend.lock", Concurrency: 4,
				BuildArgs:     map[string]string{"BASE": "debian:12"},
				BuildContexts: []string{"assets", "base=../base"},
				CacheMounts:   &yes,
			},
		},
		{name: "unknown key", yaml: "select: [apt]\nfrobnicate: 1\n", wantErr: `cfg/.dockmend.yaml:2: unknown key "frobnicate"`},
		{name: "wrong type", yaml: "pin: maybe\n", wantErr: "cfg/.dockmend.yaml:1: cannot unmarshal"},
		{name: "syntax error", yaml: "select: [apt\n", wantErr: "cfg/.dockmend.yaml:"},
		{name: "not a mapping", yaml: "- apt\n", wantErr: "cfg/.dockmend.yaml:1: cannot unmarshal !!seq into a mapping of keys to values"},
		{name: "bad platform", yaml: "\nplatform: arm64\n", wantErr: `cfg/.dockmend.yaml:2: platform: "arm64" is not os/arch[/variant]`},
		{name: "negative concurrency", yaml: "concurrency: -1\n", wantErr: "concurrency: must be at least 1"},
		{name: "empty rule", yaml: "select: ['']\n", wantErr: "cfg/.dockmend.yaml:1: select: empty entry"},
		{name: "bad pattern", yaml: "exclude: ['a/[']\n", wantErr: "exclude: \"a/[\": syntax error in pattern"},
		{name: "empty mirror", yaml: "registry-mirrors: {docker.io: ''}\n", wantErr: "registry-mirrors:"},
		{name: "two documents", yaml: "pin: true\n---\npin: false\n", wantErr: "cfg/.dockmend.yaml: more than one YAML document"},
		{name: "duplicate key", yaml: "pin: true\npin: false\n", wantErr: "cfg/.dockmend.yaml:"},
		{name: "empty build context", yaml: "\nbuild-contexts: ['=x']\n", wantErr: `cfg/.dockmend.yaml:2: build-contexts: "=x" is not a build context name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Parse("cfg/.dockmend.yaml", []byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want it to contain %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			tt.want.Path, tt.want.Dir = "cfg/.dockmend.yaml", "cfg"
			got.lines = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestExcluded(t *testing.T) {
	tests := []struct {
		pattern string
		file    string
		want    bool
	}{
		{"testdata", "repo/a/testdata/Dockerfile", true},
		{"testdata", "repo/a/Dockerfile", false},
		{"*.dev.Dockerfile", "repo/x/app.dev.Dockerfile", true},
		{"*.dev.Dockerfile", "repo/x/app.Dockerfile", false},
		{"legacy", "repo/legacy/Dockerfile", true},
		{"legacy/", "repo/legacy/sub/Dockerfile", true},
		{"/legacy", "repo/legacy/Dockerfile", true},
		{"a/legacy", "repo/legacy/Dockerfile", false},
		{"svc/*/Dockerfile", "repo/svc/api/Dockerfile", true},
		{"svc/*/Dockerfile", "repo/svc/api/v2/Dockerfile", false},
		{"svc/**/Dockerfile", "repo/svc/api/v2/Dockerfile", true},
		{"svc/**/Dockerfile", "repo/svc/Dockerfile", true},
		{"**/old", "repo/x/y/old/Dockerfile", true},
		{"**", "repo/anything/Dockerfile", true},
		{"Dockerfile", "elsewhere/Dockerfile", false}, // outside Dir
	}
	for _, tt := range tests {
		c := &Config{Dir: "repo", Exclude: []string{tt.pattern}}
		if got := c.Excluded(tt.file); got != tt.want {
			t.Errorf("pattern %q, file %q: Excluded = %v, want %v", tt.pattern, tt.file, got, tt.want)
		}
	}
}

func TestFinder(t *testing.T) {
	root := t.TempDir()
	write := func(rel, content string) {
		t.Helper()
		p := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(".dockmend.yaml", "platform: linux/amd64\n")  // above the repository: never used
	write("repo/.git/HEAD", "ref: refs/heads/main\n")   // repository root
	write("repo/.dockmend.yaml", "select: [apt]\n")     // repository config
	write("repo/svc/.dockmend.yaml", "select: [pin]\n") // nearer config
	write("repo/svc/api/Dockerfile", "FROM scratch\n")  // uses svc
	write("repo/web/Dockerfile", "FROM scratch\n")      // uses repo
	write("norepo/Dockerfile", "FROM scratch\n")        // uses root's
	write("other/.git", "gitdir: ../x\n")               // worktree: .git is a file
	write("other/Dockerfile", "FROM scratch\n")         // none
	write("bad/.dockmend.yaml", "nope: 1\n")            // error
	write("bad/.git/HEAD", "")

	f := NewFinder()
	tests := []struct {
		file    string
		want    string // config path relative to root; "" for none
		wantErr string
	}{
		{file: "repo/svc/api/Dockerfile", want: "repo/svc/.dockmend.yaml"},
		{file: "repo/web/Dockerfile", want: "repo/.dockmend.yaml"},
		{file: "repo/web/Dockerfile.not-there", want: "repo/.dockmend.yaml"},
		{file: "norepo/Dockerfile", want: ".dockmend.yaml"},
		{file: "other/Dockerfile", want: ""},
		{file: "bad/Dockerfile", wantErr: `unknown key "nope"`},
	}
	for _, tt := range tests {
		for range 2 { // the second time comes from the cache
			c, err := f.For(filepath.Join(root, tt.file))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Errorf("%s: error = %v, want %q", tt.file, err, tt.wantErr)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", tt.file, err)
			}
			got := ""
			if c != nil {
				got, _ = filepath.Rel(root, c.Path)
			}
			if got != filepath.FromSlash(tt.want) {
				t.Errorf("%s: config %q, want %q", tt.file, got, tt.want)
			}
		}
	}
}

func TestMerge(t *testing.T) {
	yes, no := true, false
	base := &Config{
		Path: "r/.dockmend.yaml", Dir: "r",
		Select: []string{"apt"}, Pin: &no, Platform: "linux/amd64", Lockfile: "x.lock",
		RegistryMirrors: map[string]string{"docker.io": "https://a", "ghcr.io": "https://b"},
		BuildArgs:       map[string]string{"A": "1"}, CacheMounts: &yes,
	}
	over := &Config{
		Ignore: []string{"pin"}, UnsafeFixes: &yes, Concurrency: 2,
		RegistryMirrors: map[string]string{"docker.io": "https://c"},
	}
	got := Merge(base, over)
	want := &Config{
		Path: "r/.dockmend.yaml", Dir: "r",
		Select: []string{"apt"}, Ignore: []string{"pin"}, UnsafeFixes: &yes, Pin: &no,
		Platform: "linux/amd64", Lockfile: "x.lock", Concurrency: 2,
		RegistryMirrors: map[string]string{"docker.io": "https://c", "ghcr.io": "https://b"},
		BuildArgs:       map[string]string{"A": "1"}, CacheMounts: &yes,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("Merge:\ngot  %+v\nwant %+v", got, want)
	}
	if base.RegistryMirrors["docker.io"] != "https://a" {
		t.Error("Merge modified its base")
	}
	if got.LockfilePath() != filepath.Join("r", "x.lock") {
		t.Errorf("LockfilePath = %q, want it relative to the config's directory", got.LockfilePath())
	}
	flagLock := Merge(base, &Config{Lockfile: "flag.lock"})
	if !filepath.IsAbs(flagLock.LockfilePath()) {
		t.Errorf("a lock file given by flag resolves against the config's directory: %q", flagLock.LockfilePath())
	}
	// Build contexts named by flags add to the file's, like build-args.
	ctx := Merge(&Config{BuildContexts: []string{"assets"}}, &Config{BuildContexts: []string{"base=../b", "assets"}})
	if got := ctx.ContextNames(); !reflect.DeepEqual(got, []string{"assets", "base"}) {
		t.Errorf("ContextNames = %q, want [assets base]", got)
	}
	if Merge(nil, nil) == nil || !Merge(nil, nil).PinEnabled() || Merge(nil, nil).UnsafeFixesEnabled() || Merge(nil, nil).CacheMountsEnabled() {
		t.Error("empty merge: want pin on, unsafe fixes and cache mounts off")
	}
	if Merge(base, &Config{CacheMounts: &no}).CacheMountsEnabled() {
		t.Error("cache-mounts: false over true stays on")
	}
}

// TestFinderDanglingLink: a .dockmend.yaml that is a dangling symbolic
// link counts as none (the search goes on up) and is reported once as a
// warning.
func TestFinderDanglingLink(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.MkdirAll(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, FileName), []byte("select: [apt]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("gone.yaml", filepath.Join(sub, FileName)); err != nil {
		t.Fatal(err)
	}
	f := NewFinder()
	for range 2 {
		c, err := f.For(filepath.Join(sub, "Dockerfile"))
		if err != nil || c == nil || len(c.Select) != 1 {
			t.Fatalf("For = %+v, %v; want the file above", c, err)
		}
	}
	w := f.Warnings()
	if len(w) != 1 || w[0].Message != "a symbolic link to gone.yaml, which does not exist; ignored" || !strings.HasSuffix(w[0].Path, filepath.Join("sub", FileName)) {
		t.Errorf("warnings %+v", w)
	}
	if w := f.Warnings(); len(w) != 0 {
		t.Errorf("warnings again: %+v", w)
	}
}
