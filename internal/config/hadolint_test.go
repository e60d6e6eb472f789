package config

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/severity"
)

func TestParseHadolint(t *testing.T) {
	lvl := func(l severity.Level) *severity.Level { return &l }
	tests := []struct {
		name    string
		yaml    string
		want    *Config
		wantErr string
	}{
		{name: "empty", yaml: "", want: &Config{}},
		{
			// The example of hadolint's README, with keys dockmend does not read.
			name: "every key",
			yaml: `failure-threshold: warning
format: json
ignored:
  - DL3000
  - SC1010
label-schema:
  author: text
no-color: true
override:
  error: [DL3001, DL3002]
  warning: [DL3042, DL3033]
  info: [DL3032]
  style: [DL3015]
strict-labels: true
disable-ignore-pragma: false
trustedRegistries:
  - docker.io
  - "*.gcr.io"
some-key-of-a-later-hadolint: 1
`,
			want: &Config{
				Ignore:           []string{"DL3000", "SC1010"},
				FailureThreshold: lvl(severity.Warning),
				Levels: map[string]severity.Level{"DL3001": severity.Error, "DL3002": severity.Error, "DL3042": severity.Warning,
					"DL3033": severity.Warning, "DL3032": severity.Info, "DL3015": severity.Style},
				TrustedRegistries: []string{"docker.io", "*.gcr.io"},
			},
		},
		{name: "one trusted registry", yaml: "trustedRegistries: my-company.com:5000\n", want: &Config{TrustedRegistries: []string{"my-company.com:5000"}}},
		{name: "threshold ignore", yaml: "failure-threshold: ignore\n", want: &Config{FailureThreshold: lvl(severity.None)}},
		{name: "no-fail", yaml: "failure-threshold: error\nno-fail: true\n", want: &Config{FailureThreshold: lvl(severity.None)}},
		{name: "bad threshold", yaml: "\nfailure-threshold: severe\n", wantErr: `h/.hadolint.yaml:2: failure-threshold: unknown level "severe"`},
		{name: "ignored not a list", yaml: "ignored: {a: b}\n", wantErr: "h/.hadolint.yaml:1: cannot unmarshal"},
		{name: "empty trusted registry", yaml: "trustedRegistries: ['']\n", wantErr: "h/.hadolint.yaml:1: trustedRegistries: empty entry"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := ParseHadolint("h/.hadolint.yaml", []byte(tt.yaml))
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !c.Hadolint || c.Path != "h/.hadolint.yaml" || c.Dir != "h" {
				t.Errorf("Hadolint %v, Path %q, Dir %q", c.Hadolint, c.Path, c.Dir)
			}
			c.Path, c.Dir, c.Hadolint, c.lines = "", "", false, nil
			if !reflect.DeepEqual(c, tt.want) {
				t.Errorf("got  %+v\nwant %+v", c, tt.want)
			}
		})
	}
	// An error about a key names it as hadolint's file spells it.
	c, err := ParseHadolint("h/.hadolint.yaml", []byte("\n\nignored: [DL3000]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Errorf("ignore", "unknown rule"); err.Error() != "h/.hadolint.yaml:3: ignored: unknown rule" {
		t.Errorf("Errorf = %v", err)
	}
}

func TestParseLevels(t *testing.T) {
	c, err := Parse("d/.dockmend.yaml", []byte("levels:\n  multistage: info\n  DL3015: style\nfailure-threshold: warning\ntrusted-registries: [registry.example.com]\n"))
	if err != nil {
		t.Fatal(err)
	}
	if want := map[string]severity.Level{"multistage": severity.Info, "DL3015": severity.Style}; !reflect.DeepEqual(c.Levels, want) {
		t.Errorf("Levels = %v, want %v", c.Levels, want)
	}
	if c.Threshold(severity.Style) != severity.Warning || (&Config{}).Threshold(severity.Style) != severity.Style {
		t.Errorf("Threshold = %v", c.Threshold(severity.Style))
	}
	for yaml, want := range map[string]string{
		"levels: {apt: severe}\n":         `d/.dockmend.yaml:1: unknown level "severe"`,
		"levels: {apt: none}\n":           `d/.dockmend.yaml:1: levels: apt: a level is error, warning, info or style (ignore apt to drop its findings)`,
		"failure-threshold: [warning]\n":  `d/.dockmend.yaml:1: cannot unmarshal`,
		"\nfailure-threshold: critical\n": `d/.dockmend.yaml:2: unknown level "critical"`,
	} {
		if _, err := Parse("d/.dockmend.yaml", []byte(yaml)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", yaml, err, want)
		}
	}
	// Merging: the flags' threshold wins, levels merge entry by entry.
	over := &Config{FailureThreshold: new(severity.Level), Levels: map[string]severity.Level{"DL3015": severity.Info}}
	m := Merge(c, over)
	if m.Threshold(severity.Error) != severity.None || m.Levels["DL3015"] != severity.Info || m.Levels["multistage"] != severity.Info {
		t.Errorf("Merge: threshold %v, levels %v", m.Threshold(severity.Error), m.Levels)
	}
}

// TestFinderHadolint: .dockmend.yml is read like .dockmend.yaml, a
// directory may not hold both, and hadolint's file applies only where no
// dockmend configuration does.
func TestFinderHadolint(t *testing.T) {
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
	write("a/.git/HEAD", "")
	write("a/.hadolint.yaml", "ignored: [DL3015]\n") // repository: hadolint only
	write("a/.hadolint.yml", "ignored: [DL3009]\n")  // hadolint reads .yaml first
	write("a/svc/.dockmend.yml", "select: [apt]\n")  // nearer: dockmend's .yml
	write("b/.git/HEAD", "")
	write("b/.dockmend.yaml", "select: [pin]\n")         // repository: dockmend's
	write("b/svc/.hadolint.yaml", "ignored: [DL3015]\n") // nearer, but dockmend's applies
	write("c/.git/HEAD", "")
	write("c/.dockmend.yaml", "select: [pin]\n")
	write("c/.dockmend.yml", "select: [apt]\n")
	write("d/.git/HEAD", "")
	write("d/.hadolint.yml", "failure-threshold: nonsense\n")

	f := NewFinder()
	tests := []struct{ file, want, wantErr string }{
		{file: "a/Dockerfile", want: "a/.hadolint.yaml"},
		{file: "a/svc/Dockerfile", want: "a/svc/.dockmend.yml"},
		{file: "b/svc/Dockerfile", want: "b/.dockmend.yaml"},
		{file: "c/Dockerfile", wantErr: ".dockmend.yaml and .dockmend.yml: two configuration files in one directory; keep one"},
		{file: "d/Dockerfile", wantErr: `d/.hadolint.yml:1: failure-threshold: unknown level "nonsense"`},
	}
	for _, tt := range tests {
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
		got, _ := filepath.Rel(root, c.Path)
		if got != filepath.FromSlash(tt.want) {
			t.Errorf("%s: config %q, want %q", tt.file, got, tt.want)
		}
		if c.Hadolint != strings.Contains(tt.want, "hadolint") {
			t.Errorf("%s: Hadolint = %v", tt.file, c.Hadolint)
		}
	}
}
