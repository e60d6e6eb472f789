package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/report"
)

func TestColorEnabled(t *testing.T) {
	tests := []struct {
		mode string
		env  string // space-separated K=V
		tty  bool
		want bool
	}{
		{"always", "NO_COLOR=1", false, true},
		{"never", "FORCE_COLOR=1", true, false},
		{"auto", "", true, true},
		{"auto", "", false, false},
		{"auto", "NO_COLOR=1", true, false},
		{"auto", "TERM=dumb", true, false},
		{"auto", "FORCE_COLOR=1", false, true},
		{"auto", "FORCE_COLOR=0", false, false},
		{"auto", "CLICOLOR_FORCE=1 TERM=dumb", false, true},
		{"auto", "NO_COLOR=1 FORCE_COLOR=1", true, false},
	}
	for _, tt := range tests {
		vars := map[string]string{}
		for _, kv := range strings.Fields(tt.env) {
			k, v, _ := strings.Cut(kv, "=")
			vars[k] = v
		}
		got, err := colorEnabled(tt.mode, func(k string) string { return vars[k] }, tt.tty)
		if err != nil || got != tt.want {
			t.Errorf("colorEnabled(%q, %q, tty=%v) = %v, %v; want %v", tt.mode, tt.env, tt.tty, got, err, tt.want)
		}
	}
	if _, err := colorEnabled("sometimes", func(string) string { return "" }, true); err == nil {
		t.Error("--color sometimes: no error")
	}
}

func TestFormatVersion(t *testing.T) {
	tests := []struct {
		bi   *debug.BuildInfo
		want string // prefix; the Go version and platform follow
	}{
		{nil, "dockmend (devel) "},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, GoVersion: "go1.26.8"}, "dockmend v1.2.3 go1.26.8 "},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-11-28T02:16:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, "dockmend (devel) (0123456789ab, 2026-11-28T02:16:00Z, modified) go1.26.8 "},
	}
	for _, tt := range tests {
		if got := formatVersion(tt.bi); !strings.HasPrefix(got, tt.want) {
			t.Errorf("formatVersion = %q, want prefix %q", got, tt.want)
		}
	}
}

func TestRemainder(t *testing.T) {
	tests := []struct {
		findings, unsafe int
		want             string
	}{
		{0, 0, ""},
		{1, 0, "; 1 finding remains"},
		{3, 2, "; 3 findings remain (2 fixable with --unsafe-fixes)"},
	}
	for _, tt := range tests {
		if got := remainder(report.Counts{Findings: tt.findings, Unsafe: tt.unsafe}); got != tt.want {
			t.Errorf("remainder(%d, %d) = %q, want %q", tt.findings, tt.unsafe, got, tt.want)
		}
	}
}

func TestMainInterrupted(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "Dockerfile"), []byte("FROM scratch\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var stdout, stderr bytes.Buffer
	code := Main(ctx, []string{"fix", dir}, Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr})
	if code != ExitError || stderr.String() != "dockmend: interrupted\n" || stdout.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q; want 2 and only \"interrupted\"", code, stdout.String(), stderr.String())
	}
}
