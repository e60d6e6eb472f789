package cli

import (
	"bytes"
	"testing"

	"github.com/dockmend/dockmend/internal/migrate"
)

func TestProgress(t *testing.T) {
	var buf bytes.Buffer
	p := &progress{w: &buf, enabled: true}
	p.update(3, 12, map[migrate.Status]int{migrate.Changed: 2, migrate.Failed: 1})
	want := "\r\033[K[======                  ] 3/12 repositories: 2 changed, 0 unchanged, 0 skipped, 1 failed"
	if buf.String() != want {
		t.Errorf("progress line %q, want %q", buf.String(), want)
	}
	buf.Reset()
	p.clear()
	p.clear() // once drawn, cleared once
	if buf.String() != "\r\033[K" {
		t.Errorf("clear wrote %q", buf.String())
	}

	// Not a terminal: nothing at all.
	buf.Reset()
	quiet := newProgress(&Env{Stderr: &buf})
	quiet.update(1, 1, map[migrate.Status]int{})
	quiet.clear()
	if buf.Len() != 0 {
		t.Errorf("progress wrote %q to a non-terminal", buf.String())
	}
}

func TestPatchPath(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	for in, want := range map[string]string{
		"app/Dockerfile":                   "app/Dockerfile",
		wd + "/app/Dockerfile":             "app/Dockerfile",
		"/elsewhere/Dockerfile":            "elsewhere/Dockerfile",
		"../sibling/Dockerfile":            "../sibling/Dockerfile",
		"fleet/repo/services/x.Dockerfile": "fleet/repo/services/x.Dockerfile",
	} {
		if got := patchPath(in); got != want {
			t.Errorf("patchPath(%q) = %q, want %q", in, got, want)
		}
	}
}
