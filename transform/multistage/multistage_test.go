package multistage

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/transform"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/apt"
)

func TestGolden(t *testing.T) {
	transformtest.Run(t, "testdata", New(Options{}))
}

// TestWithApt runs the rule together with apt, as dockmend does by default:
// their fixes combine and the result is stable.
func TestWithApt(t *testing.T) {
	transformtest.Run(t, "testdata/with-apt", apt.Transformer, New(Options{}))
}

// TestOptions checks that a bad runtime-bases entry is reported by
// Validate and by every run, and that a good one changes the runtime base.
func TestOptions(t *testing.T) {
	bad := Options{RuntimeBases: map[string]string{"golang:*": "Not A Reference"}}
	if err := bad.Validate(); err == nil {
		t.Error("Validate accepted a bad runtime base")
	}
	df := []byte("FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\nRUN go build -o /app .\nCMD [\"/app\"]\n")
	ctx := context.Background()
	if _, err := engine.Run(ctx, "Dockerfile", df, engine.Options{Transformers: []*transform.Transformer{New(bad)}}); err == nil || !strings.Contains(err.Error(), "runtime bases") {
		t.Errorf("run with a bad table: err = %v", err)
	}
	good := Options{RuntimeBases: map[string]string{"golang:*-bookworm": "gcr.io/distroless/base-debian12"}}
	if err := good.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err := engine.Run(ctx, "Dockerfile", df, engine.Options{Transformers: []*transform.Transformer{New(good)}, UnsafeFixes: true})
	if err != nil {
		t.Fatal(err)
	}
	out := string(res.Output)
	if !strings.Contains(out, "\nFROM gcr.io/distroless/base-debian12\n") || strings.Contains(out, "apt-get") {
		t.Errorf("distroless runtime base: want only artifact copies, got\n%s", out)
	}
}

// TestReleases checks where the release of the runtime base comes from
// when its tag does not say: the configuration's releases, or the lock
// file's tag for a digest; without either, the shipped releases must agree
// (libssl-dev gives libssl3 on bookworm and nothing on trixie, where
// libssl3t64 is in every image).
func TestReleases(t *testing.T) {
	ctx := context.Background()
	fix := func(o Options, df string) (*engine.Result, error) {
		return engine.Run(ctx, "Dockerfile", []byte(df), engine.Options{Transformers: []*transform.Transformer{New(o)}, UnsafeFixes: true})
	}
	df := "FROM python:3.12-slim\nRUN apt-get update && apt-get install -y gcc libssl-dev\nWORKDIR /app\nCOPY . .\nRUN pip install .\nCMD [\"app\"]\n"
	res, err := fix(Options{}, df)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() || len(res.Findings) != 1 || !strings.Contains(res.Findings[0].Message, "differ between bookworm (libssl3) and trixie ()") {
		t.Errorf("without a release: %v\n%s", res.Findings, res.Output)
	}
	o := Options{Releases: map[string]string{"python:*-slim": "bookworm"}}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	res, err = fix(o, df)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Output), "--no-install-recommends \\\n    libssl3 \\\n") {
		t.Errorf("with releases: bookworm:\n%s", res.Output)
	}
	if err := (Options{Releases: map[string]string{"python:*-slim": "Bookworm 12"}}).Validate(); err == nil || !strings.HasPrefix(err.Error(), "releases:") {
		t.Errorf("a bad release: %v", err)
	}
	// A digest without a tag: the lock file's tag says bookworm.
	digest := "sha256:" + strings.Repeat("a", 64)
	df = "FROM debian@" + digest + "\nRUN apt-get update && apt-get install -y gcc make libssl-dev\nWORKDIR /src\nCOPY . .\nRUN make\nCMD [\"./app\"]\n"
	res, err = fix(Options{}, df)
	if err != nil {
		t.Fatal(err)
	}
	if res.Changed() {
		t.Errorf("a digest without the lock file was fixed:\n%s", res.Output)
	}
	lock := func(d string) (string, bool) { return "docker.io/library/debian:bookworm", d == digest }
	res, err = fix(Options{LockTag: lock}, df)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(res.Output), "    libssl3 \\\n") {
		t.Errorf("with the lock file:\n%s", res.Output)
	}
}

// TestLargeStage checks the bound on what the rule reads: a final stage
// of more than maxAnalysed bytes gets a finding without a fix instead of
// an analysis; one just under it is analysed.
func TestLargeStage(t *testing.T) {
	stage := func(runs int) []byte {
		var b strings.Builder
		b.WriteString("FROM golang:1.22-bookworm\nWORKDIR /src\nCOPY . .\n")
		for i := range runs {
			fmt.Fprintf(&b, "RUN go build -o /out/app%d ./cmd/app%d\n", i, i)
		}
		b.WriteString("CMD [\"/out/app0\"]\n")
		return []byte(b.String())
	}
	tr := []*transform.Transformer{New(Options{})}
	for _, tt := range []struct {
		runs    int
		skipped bool
	}{{100, false}, {maxAnalysed / 40, true}} {
		df := stage(tt.runs)
		res, err := engine.Run(context.Background(), "Dockerfile", df, engine.Options{Transformers: tr, NoFix: true})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Findings) != 1 {
			t.Fatalf("%d bytes: %d findings, want 1", len(df), len(res.Findings))
		}
		fd := res.Findings[0]
		if skipped := strings.Contains(fd.Message, "not analysed"); skipped != tt.skipped || (fd.Fix == nil) != tt.skipped {
			t.Errorf("%d bytes (limit %d): finding %q, fix %v", len(df), maxAnalysed, fd.Message, fd.Fix != nil)
		}
	}
}

func TestSlimVariant(t *testing.T) {
	tests := []struct{ in, want string }{
		{"debian:bookworm", "debian:bookworm-slim"},
		{"debian:12", "debian:12-slim"},
		{"debian:12.8", "debian:12.8-slim"},
		{"docker.io/library/debian:trixie", "docker.io/library/debian:trixie-slim"},
		{"debian:bookworm-20241202", "debian:bookworm-20241202-slim"},
		{"debian:sid", "debian:sid-slim"},
		{"debian:bookworm-slim", "debian:bookworm-slim"},
		{"debian:bookworm-backports", "debian:bookworm-backports"},
		{"debian:experimental", "debian:experimental"},
		{"debian:latest", "debian:latest"},
		{"debian", "debian"},
		{"debian:bookworm@sha256:a1b05a990d2108e057c0d1e5b3fa0f9ff52f1971e8216720419071c36b14d463", "debian:bookworm@sha256:a1b05a990d2108e057c0d1e5b3fa0f9ff52f1971e8216720419071c36b14d463"},
		{"debian:${RELEASE}", "debian:${RELEASE}"},
		{"registry.example.com/debian:bookworm", "registry.example.com/debian:bookworm"},
		{"ubuntu:24.04", "ubuntu:24.04"},
	}
	for _, tt := range tests {
		if got := slimVariant(tt.in); got != tt.want {
			t.Errorf("slimVariant(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
