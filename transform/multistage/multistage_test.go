package multistage

import (
	"context"
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
