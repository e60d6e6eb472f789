package ruleset

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// countdown is a context that reports cancellation once Err has been
// called n times: it stops a rule at a known point of its work.
type countdown struct {
	context.Context
	n atomic.Int64
}

func (c *countdown) Err() error {
	if c.n.Add(-1) < 0 {
		return context.Canceled
	}
	return nil
}

// busyFile has work for every rule: many stages with a RUN for each
// package manager, and a final stage that builds with a toolchain image.
func busyFile() []byte {
	var b strings.Builder
	// Each stage builds on the one before, so that its RUN lines count
	// for the rules that look only at stages that reach an image.
	b.WriteString("FROM debian:12 AS s0\n")
	for i := range 200 {
		fmt.Fprintf(&b, "FROM s%d AS s%d\nRUN apt-get install a%d && apk add b && dnf install c && zypper install d && pip install e && npm install f && yarn install && gem install g && composer install\nCOPY --from=busybox:1.%d /bin/sh /sh\n", i, i+1, i, i)
	}
	b.WriteString("FROM s200\nFROM golang:1.22\nRUN apt-get update && apt-get install -y gcc\nWORKDIR /src\n")
	for i := range 200 {
		fmt.Fprintf(&b, "RUN go build -o /out/x%d ./cmd/x%d\n", i, i)
	}
	b.WriteString("CMD [\"/out/x0\"]\n")
	return []byte(b.String())
}

// TestRulesStopWhenCancelled checks that every rule checks its pass's
// context while it works through a file, not only when it starts: a run
// cancelled a few checks in returns the context's error, before it has
// reported what a full run reports.
func TestRulesStopWhenCancelled(t *testing.T) {
	f, err := source.Parse("Dockerfile", busyFile())
	if err != nil {
		t.Fatal(err)
	}
	for _, tr := range All(Config{}) {
		t.Run(tr.Name, func(t *testing.T) {
			run := func(ctx context.Context) (int, error) {
				n := 0
				err := tr.Run(&transform.Pass{Context: ctx, File: f, Transformer: tr, Report: func(transform.Finding) { n++ }})
				return n, err
			}
			full, err := run(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if full == 0 {
				t.Fatalf("the file gives the rule no work: no findings")
			}
			ctx := &countdown{Context: context.Background()}
			ctx.n.Store(3)
			n, err := run(ctx)
			if !errors.Is(err, context.Canceled) {
				t.Fatalf("cancelled run returned %v, want context.Canceled", err)
			}
			if n >= full {
				t.Errorf("cancelled run reported %d findings, as many as a full run (%d)", n, full)
			}
		})
	}
}
