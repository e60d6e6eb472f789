package base

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/vulndb"
)

func inspect(t *testing.T, w *world, opts Options, files ...File) *Report {
	t.Helper()
	if opts.Registry == nil {
		opts.Registry = w.registry(t)
	}
	opts.Now = func() time.Time { return reportDay }
	rep, err := Inspect(context.Background(), files, opts)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func findBase(t *testing.T, rep *Report, ref, platform string) *Base {
	t.Helper()
	for _, b := range rep.Bases {
		if b.Reference == ref && b.Platform == platform {
			return b
		}
	}
	t.Fatalf("no base %s for %s among %d", ref, platform, len(rep.Bases))
	return nil
}

// Every distinct reference and platform is inspected once: FROM, COPY
// --from and RUN --mount from=, across files; per-stage platforms.
func TestInspectOncePerBase(t *testing.T) {
	w := newWorld(t)
	files := []File{
		{Path: "a/Dockerfile", Data: []byte("FROM debian:bookworm AS build\nRUN --mount=type=bind,from=alpine:3.19,target=/a true\nFROM --platform=linux/arm64 debian:bookworm\nCOPY --from=build /x /x\nCOPY --from=python:3.12-slim /usr /usr\n")},
		{Path: "b/Dockerfile", Data: []byte("FROM docker.io/library/debian:bookworm\nFROM ${MISSING}\n")},
	}
	rep := inspect(t, w, Options{Variants: true}, files...)
	if len(rep.Errors) != 0 {
		t.Fatalf("errors: %+v", rep.Errors)
	}
	want := []string{"debian:bookworm linux/amd64", "alpine:3.19 linux/amd64", "debian:bookworm linux/arm64/v8", "python:3.12-slim linux/amd64"}
	if len(rep.Bases) != len(want) {
		t.Fatalf("%d bases, want %d", len(rep.Bases), len(want))
	}
	for i, b := range rep.Bases {
		if got := b.Reference + " " + b.Platform; got != want[i] {
			t.Errorf("base %d = %s, want %s", i, got, want[i])
		}
	}
	deb := findBase(t, rep, "debian:bookworm", "linux/amd64")
	if len(deb.Uses) != 2 || deb.Uses[1].Path != "b/Dockerfile" || deb.Uses[0].Line != 1 || deb.Uses[0].Column != 6 {
		t.Errorf("uses %+v", deb.Uses)
	}
	if len(rep.Skipped) != 1 || !strings.Contains(rep.Skipped[0].Reason, "MISSING") {
		t.Errorf("skipped %+v", rep.Skipped)
	}
	// debian:bookworm's index is fetched once for both platforms and both
	// spellings.
	n := 0
	for _, r := range w.srv.Log() {
		if r.Method == "GET" && r.Path == "/v2/library/debian/manifests/bookworm" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d GETs of debian:bookworm's index, want 1", n)
	}
	if n := w.srv.Count("GET", "/tags/list"); n != 6 {
		// debian: 2 pages (the second repeats); python 2; alpine 2.
		t.Errorf("%d tag list requests, want 6", n)
	}
}

// Sizes, dates, platforms, release and support from the images.
func TestInspectFacts(t *testing.T) {
	w := newWorld(t)
	rep := inspect(t, w, Options{Packages: true, Variants: true},
		File{Path: "Dockerfile", Data: []byte("FROM debian:bookworm\nFROM --platform=linux/arm64 debian:bookworm\nFROM alpine:3.19\nFROM python:3.12\n")})
	deb := findBase(t, rep, "debian:bookworm", "linux/amd64")
	if deb.Size != size(t, w.imgs["debian:bookworm linux/amd64"]) || deb.Layers != 1 {
		t.Errorf("size %d (%d layers), want %d", deb.Size, deb.Layers, size(t, w.imgs["debian:bookworm linux/amd64"]))
	}
	if deb.Digest != w.idxs["library/debian:bookworm"] || deb.Manifest != digest(t, w.imgs["debian:bookworm linux/amd64"]) {
		t.Errorf("digests %s %s", deb.Digest, deb.Manifest)
	}
	if strings.Join(deb.Platforms, " ") != "linux/amd64 linux/arm64/v8" {
		t.Errorf("platforms %v (attestations must be left out)", deb.Platforms)
	}
	if !deb.Created.Equal(day2) || deb.AgeDays != 10 {
		t.Errorf("created %v age %d", deb.Created, deb.AgeDays)
	}
	if deb.OS == nil || deb.OS.Name != "Debian 12 (bookworm)" || deb.OS.Source != "os-release" {
		t.Errorf("os %+v", deb.OS)
	}
	if deb.Support == nil || deb.Support.Message != "regular security support ended 2026-07-11; LTS until 2028-06-30" {
		t.Errorf("support %+v", deb.Support)
	}
	if deb.Packages == nil || deb.Packages.Count != 42 || deb.Packages.Kind != "dpkg" || deb.Packages.LayersRead != 1 {
		t.Errorf("packages %+v", deb.Packages)
	}
	arm := findBase(t, rep, "debian:bookworm", "linux/arm64/v8")
	if arm.Size != size(t, w.imgs["debian:bookworm linux/arm64/v8"]) || arm.Manifest == deb.Manifest {
		t.Errorf("arm64: size %d manifest %s", arm.Size, arm.Manifest)
	}
	alp := findBase(t, rep, "alpine:3.19", "linux/amd64")
	if alp.OS == nil || alp.OS.Name != "Alpine 3.19" || alp.Packages.Count != 6 || alp.Support.Message != "end of life since 2025-11-01" {
		t.Errorf("alpine: os %+v packages %+v support %+v", alp.OS, alp.Packages, alp.Support)
	}
	// Variants: debian:bookworm-slim is smaller; python's -slim and
	// -alpine, with -slim-bookworm an alias of -slim (left out).
	if len(deb.Variants) != 1 || deb.Variants[0].Tag != "bookworm-slim" || deb.Variants[0].Saving < 0.5 {
		t.Errorf("debian variants %+v", deb.Variants)
	}
	py := findBase(t, rep, "python:3.12", "linux/amd64")
	var tags []string
	for _, v := range py.Variants {
		tags = append(tags, v.Tag)
	}
	if strings.Join(tags, " ") != "3.12-alpine 3.12-slim" {
		t.Errorf("python variants %v", tags)
	}
	var rules []string
	for _, f := range rep.Findings {
		rules = append(rules, f.Rule+":"+f.Level.String()+":"+f.Base)
	}
	want := "base-eol:warning:debian:bookworm base-larger-than-variant:info:debian:bookworm base-eol:warning:debian:bookworm base-larger-than-variant:info:debian:bookworm base-eol:error:alpine:3.19 base-eol:warning:python:3.12 base-larger-than-variant:info:python:3.12"
	if got := strings.Join(rules, " "); got != want {
		t.Errorf("findings\n%s\nwant\n%s", got, want)
	}
}

// Without reading layers, the release comes from the tag or the index's
// base.name annotation.
func TestReleaseWithoutLayers(t *testing.T) {
	w := newWorld(t)
	rep := inspect(t, w, Options{}, File{Path: "Dockerfile", Data: []byte("FROM debian:12\nFROM python:3.12-slim\nFROM alpine:3.19\n")})
	for ref, want := range map[string]string{"debian:12": "Debian 12 (bookworm) tag", "python:3.12-slim": "Debian 12 (bookworm) annotation", "alpine:3.19": "Alpine 3.19 tag"} {
		b := findBase(t, rep, ref, "linux/amd64")
		if b.OS == nil || b.OS.Name+" "+b.OS.Source != want {
			t.Errorf("%s: %+v, want %s", ref, b.OS, want)
		}
		if b.Packages != nil {
			t.Errorf("%s: layers read without --packages", ref)
		}
	}
	if n := w.srv.Count("GET", "/blobs/"); n != 3 {
		t.Errorf("%d blob GETs, want 3 (the configs only)", n)
	}
}

func TestStale(t *testing.T) {
	w := newWorld(t)
	old := w.idxs["debian:old"]
	rep := inspect(t, w, Options{}, File{Path: "Dockerfile", Data: []byte("FROM debian:12@" + old + "\n")})
	b := rep.Bases[0]
	if b.Stale == nil || b.Stale.Pinned != old || b.Stale.Current != w.idxs["library/debian:12"] || !b.Stale.PinnedCreated.Equal(day1) || !b.Stale.CurrentCreated.Equal(day2) {
		t.Fatalf("stale %+v", b.Stale)
	}
	if b.Size != size(t, w.imgs["debian:old linux/amd64"]) {
		t.Errorf("the pinned image's size is reported: %d", b.Size)
	}
	found := false
	for _, f := range rep.Findings {
		if f.Rule == RuleStale {
			found = true
			if f.Level != severity.Warning || !strings.Contains(f.Message, "(created 2026-03-01) but the tag now points to") || !strings.Contains(f.Message, "(created 2026-11-20)") {
				t.Errorf("finding %+v", f)
			}
		}
	}
	if !found {
		t.Error("no base-stale finding")
	}
	// A current pin is not stale.
	rep = inspect(t, w, Options{}, File{Path: "Dockerfile", Data: []byte("FROM debian:12@" + w.idxs["library/debian:12"] + "\n")})
	if rep.Bases[0].Stale != nil {
		t.Error("a current pin was called stale")
	}
}

// vulnFixture zips vulndb's OSV test records into a database directory.
func vulnFixture(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	for _, eco := range vulndb.Ecosystems {
		files, _ := filepath.Glob(filepath.Join("../vulndb/testdata/osv", eco, "*.json"))
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fw, _ := zw.Create(filepath.Base(f))
			fw.Write(data)
		}
		zw.Close()
		os.MkdirAll(filepath.Join(dir, eco), 0o755)
		p := filepath.Join(dir, eco, "all.zip")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		month := reportDay.Add(-30 * 24 * time.Hour)
		os.Chtimes(p, month, month)
	}
	return dir
}

func TestVulns(t *testing.T) {
	w := newWorld(t)
	db, err := vulndb.Open(vulnFixture(t))
	if err != nil {
		t.Fatal(err)
	}
	rep := inspect(t, w, Options{Vulns: true, VulnDB: db}, File{Path: "Dockerfile", Data: []byte("FROM debian:bookworm\nFROM alpine:3.19\n")})
	deb := findBase(t, rep, "debian:bookworm", "linux/amd64")
	if deb.Vulns == nil || deb.Vulns.Total != 5 || deb.Vulns.Fixable != 4 || deb.Vulns.Counts["critical"] != 1 || deb.Vulns.Ecosystem != "Debian:12" {
		t.Fatalf("vulns %+v", deb.Vulns)
	}
	if deb.Vulns.Top[0].ID != "CVE-2099-0008" || len(deb.Vulns.Top) != 5 {
		t.Errorf("top %+v", deb.Vulns.Top)
	}
	var msg string
	for _, f := range rep.Findings {
		if f.Rule == RuleVulnerable && f.Base == "debian:bookworm" {
			msg = f.Message + " " + f.Level.String()
		}
	}
	if msg != "debian:bookworm has 5 known vulnerabilities (1 critical, 1 high, 1 medium, 1 low, 1 unknown); a rebuild or upgrade fixes 4 error" {
		t.Errorf("finding %q", msg)
	}
	if rep.VulnDB == nil || !rep.VulnDB.Stale || !strings.Contains(rep.VulnDB.Message, "was downloaded 30 days ago, more than 7 days") {
		t.Errorf("a database of 30 days: %+v", rep.VulnDB)
	}
	// No database: the report still has everything else, and says how to
	// get one.
	_, derr := vulndb.Open(t.TempDir())
	rep = inspect(t, w, Options{Vulns: true, VulnDBError: derr}, File{Path: "Dockerfile", Data: []byte("FROM debian:bookworm\n")})
	if rep.VulnDB.Message == "" || !strings.Contains(rep.VulnDB.Message, "dockmend base --update-db") || rep.Bases[0].Size == 0 || rep.Bases[0].Packages.Count != 42 {
		t.Errorf("no database: %+v %+v", rep.VulnDB, rep.Bases[0])
	}
}

func TestVariantCap(t *testing.T) {
	w := newWorld(t)
	var tags []string
	for i := range 30 {
		tags = append(tags, "3.12-v"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	if err := w.srv.Tag(context.Background(), "library/python", "3.12-alpine", tags...); err != nil {
		t.Fatal(err)
	}
	w.srv.ResetLog()
	rep := inspect(t, w, Options{Variants: true, VariantRequests: 10}, File{Path: "Dockerfile", Data: []byte("FROM python:3.12\n")})
	b := rep.Bases[0]
	if b.VariantsNote != "looked at 9 of 35 variant tags (at most 10 requests per base)" {
		t.Errorf("note %q variants %+v", b.VariantsNote, b.Variants)
	}
	// 1 index + 1 child + 1 config for the base; at most 10 for variants.
	if n := w.srv.Count("GET", "/manifests/"); n > 12 {
		t.Errorf("%d manifest GETs", n)
	}
}

func TestOutputs(t *testing.T) {
	w := newWorld(t)
	rep := inspect(t, w, Options{Packages: true, Variants: true}, File{Path: "Dockerfile", Data: []byte("FROM debian:bookworm\n")})
	for _, format := range Formats {
		var buf bytes.Buffer
		if err := Write(&buf, rep, format, "/"); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := buf.String()
		switch format {
		case "text":
			if !strings.Contains(out, "Debian 12 (bookworm)") || !strings.Contains(out, "Dockerfile:1:6: base-eol[warning]: debian:bookworm is Debian 12 (bookworm): regular security support ended 2026-07-11; LTS until 2028-06-30") {
				t.Errorf("text:\n%s", out)
			}
		case "json":
			var back Report
			if err := json.Unmarshal(buf.Bytes(), &back); err != nil || back.Bases[0].Packages.Count != 42 || back.Findings[0].Level != severity.Warning {
				t.Errorf("json: %v", err)
			}
		case "sarif":
			var log struct {
				Runs []struct {
					Results []struct {
						RuleID, Level string
					}
				}
			}
			if err := json.Unmarshal(buf.Bytes(), &log); err != nil || len(log.Runs[0].Results) != 2 || log.Runs[0].Results[0].Level != "warning" || log.Runs[0].Results[1].Level != "note" {
				t.Errorf("sarif: %v %s", err, out)
			}
		case "markdown":
			if !strings.Contains(out, "| `debian:bookworm` | linux/amd64 |") || !strings.Contains(out, "- **base-eol** (warning) `Dockerfile:1`") {
				t.Errorf("markdown:\n%s", out)
			}
		}
	}
}

// A file's own settings (its .dockmend.yaml: registry, platform, build
// args) decide how its bases are looked up; a base named by files with
// different registries is inspected through each, and the requests of
// every registry are counted.
func TestInspectFileSettings(t *testing.T) {
	w := newWorld(t)
	own := w.registry(t)
	files := []File{
		{Path: "a/Dockerfile", Data: []byte("ARG BASE=python:3.12\nFROM debian:bookworm\nFROM $BASE\n")},
		{Path: "b/Dockerfile", Data: []byte("ARG BASE=python:3.12\nFROM debian:bookworm\nFROM $BASE\n"),
			Settings: &Settings{Registry: own, Platform: "linux/arm64", BuildArgs: map[string]string{"BASE": "alpine:3.19"}}},
	}
	rep := inspect(t, w, Options{}, files...)
	if len(rep.Bases) != 3 {
		t.Fatalf("%d bases, want debian and python for amd64, debian for arm64", len(rep.Bases))
	}
	findBase(t, rep, "debian:bookworm", "linux/amd64")
	findBase(t, rep, "python:3.12", "linux/amd64")
	findBase(t, rep, "debian:bookworm", "linux/arm64/v8")
	// b's build arg replaces the ARG's default: not what the file names.
	if len(rep.Skipped) != 1 || rep.Skipped[0].Path != "b/Dockerfile" || !strings.Contains(rep.Skipped[0].Reason, "--build-arg") {
		t.Errorf("skipped %+v, want b's $BASE, set by its build arg", rep.Skipped)
	}
	if got, want := rep.Requests.Requests, own.Stats().Requests; got <= want || want == 0 {
		t.Errorf("report counts %d requests, the file's own registry sent %d: want both registries counted", got, want)
	}
}
