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
	if !strings.Contains(out, "\nFROM gcr.io/distroless/base-debian12\n") || strings.Contains(out, "dpkg-query") {
		t.Errorf("distroless runtime base: want only artifact copies, got\n%s", out)
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
