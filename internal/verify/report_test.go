package verify

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/imagediff"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/transform"
)

func TestWriteReports(t *testing.T) {
	img := &Image{Size: 554_400_000, Compressed: 217_800_000, Layers: 5}
	res := &Image{Size: 455_000_000, Compressed: 168_400_000, Layers: 4, Smoke: &SmokeRun{}}
	results := []*Result{{
		Path: "crc/Dockerfile", Status: Dropped, Builds: 4, Original: img, Result: res,
		Rules: []Rule{{Name: "apt", Fixes: 1, Kept: true}, {Name: "multistage", Fixes: 1, Reason: "/etc/x.conf is missing | really"}},
		Tries: []*Try{{Rules: []string{"apt"}, Passed: true, Image: res, Differences: []imagediff.Difference{
			{Kind: imagediff.KindMissing, Subject: "/var/cache/a", Before: "file, 1 bytes", Expected: "a cache"},
			{Kind: imagediff.KindMissing, Subject: "/var/cache/b", Before: "file, 1 bytes", Expected: "a cache"},
			{Kind: imagediff.KindContent, Subject: "/app/x", Before: "1 bytes", After: "2 bytes"},
			{Kind: imagediff.KindMissing, Subject: "/app/y", Before: "file"}, // failed a try: not listed
		}}},
		Written: true,
	}, {Path: "other/Dockerfile", Status: Unchanged}, {Path: "bad/Dockerfile", Status: Error, Error: "bad/Dockerfile: the original does not build\nline 2"}}

	var text strings.Builder
	for _, r := range results {
		if err := WriteText(&text, r); err != nil {
			t.Fatal(err)
		}
	}
	want := `crc/Dockerfile: dropped the unsafe fixes of multistage (4 builds)
  kept apt (1 unsafe fix)
  dropped multistage (1 unsafe fix): /etc/x.conf is missing | really
  size 554.4 -> 455.0 MB (-17.9 %), compressed 217.8 -> 168.4 MB (-22.7 %), layers 5 -> 4
  smoke: exit 0 and the same output in both images
  3 differences that do not fail the fixes:
    2 like /var/cache/a: a cache
    /app/x: 1 bytes -> 2 bytes: other content (builds are rarely byte-identical; --strict fails these)
  wrote crc/Dockerfile
other/Dockerfile: no unsafe fix changes it; nothing to build
bad/Dockerfile: not verified: bad/Dockerfile: the original does not build
    line 2
`
	if text.String() != want {
		t.Errorf("text:\n%s\nwant:\n%s", text.String(), want)
	}

	var md strings.Builder
	if err := WriteMarkdown(&md, "buildah", results); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{
		"| `crc/Dockerfile` | **dropped** | apt | multistage | 554.4 → 455.0 (-17.9 %) | 217.8 → 168.4 (-22.7 %) | 5 → 4 | 4 |",
		"| `other/Dockerfile` | no unsafe fix | – | – | – | – | – | 0 |",
		"- `crc/Dockerfile`: the `multistage` fixes were dropped: /etc/x.conf is missing \\| really",
		"- `bad/Dockerfile`: not verified: bad/Dockerfile: the original does not build …",
	} {
		if !strings.Contains(md.String(), line+"\n") {
			t.Errorf("markdown lacks %q:\n%s", line, md.String())
		}
	}
}

func TestBuildFor(t *testing.T) {
	dir := t.TempDir()
	c, err := config.Parse(filepath.Join(dir, config.FileName), []byte(`build-args: {A: "1", B: "1"}
platform: linux/arm64
verify:
  Dockerfile:
    smoke: app --version
    target: run
    context: ..
    build-args: {B: "2"}
`))
	if err != nil {
		t.Fatal(err)
	}
	df := filepath.Join(dir, "Dockerfile")
	b := BuildFor(c, df, Build{BuildArgs: map[string]string{"C": "3"}})
	if b.Target != "run" || b.Context != filepath.Dir(dir) || b.Platform != "linux/arm64" || b.Smoke == nil || strings.Join(b.Smoke.Args, " ") != "app --version" ||
		b.BuildArgs["A"] != "1" || b.BuildArgs["B"] != "2" || b.BuildArgs["C"] != "3" {
		t.Errorf("from the file: %+v, smoke %+v", b, b.Smoke)
	}
	b = BuildFor(c, df, Build{Target: "t", Context: "/ctx", Platform: "linux/amd64", Smoke: &Smoke{}, BuildArgs: map[string]string{"B": "9"}})
	if b.Target != "t" || b.Context != "/ctx" || b.Platform != "linux/amd64" || b.Smoke == nil || len(b.Smoke.Args) != 0 || b.BuildArgs["B"] != "9" {
		t.Errorf("flags over the file: %+v", b)
	}
	if b := BuildFor(nil, df, Build{}); b.Smoke != nil || b.Target != "" {
		t.Errorf("no file, no flags: %+v", b)
	}
}

// TestFailedFindingsAsCheck checks that a finding a rule could not fix is
// printed as check prints it, with its check id and level.
func TestFailedFindingsAsCheck(t *testing.T) {
	fr := &fileRun{res: &Result{}}
	fr.setOutput(&engine.Result{Remaining: []engine.Finding{
		{Path: "a/Dockerfile", Line: 3, Col: 1, Finding: transform.Finding{Rule: "multistage", Level: severity.Warning, Message: "no runtime base is known", Failed: true}},
		{Path: "a/Dockerfile", Line: 5, Col: 1, Finding: transform.Finding{Rule: "apt", Code: "DL3009", Level: severity.Info, Message: "not failed"}},
	}})
	want := []string{"a/Dockerfile:3:1: multistage warning: no runtime base is known"}
	if strings.Join(fr.res.Failed, "\n") != strings.Join(want, "\n") {
		t.Errorf("Failed = %q, want %q", fr.res.Failed, want)
	}
}
