package corpus

import (
	"context"
	"fmt"
	"io"
	"runtime"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/diff"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/report"
)

// scaleLines are the RUN lines of generated Dockerfiles: each has at least
// one finding with a safe fix, from every package-manager rule in turn.
var scaleLines = []string{
	"RUN apt-get install pkg%d",
	"RUN apk add pkg%d",
	"RUN pip install pkg%d",
	"RUN dnf install pkg%d",
	"RUN zypper install pkg%d",
	"RUN apt-get update && apt-get install -y pkg%d",
}

// scaleFile returns a Dockerfile of one FROM and n RUN lines.
func scaleFile(n int) []byte {
	var b strings.Builder
	b.WriteString("FROM debian:bookworm\n")
	for i := range n {
		fmt.Fprintf(&b, scaleLines[i%len(scaleLines)]+"\n", i)
	}
	return []byte(b.String())
}

// BenchmarkScale runs what "dockmend check" and "dockmend diff" do on one
// file (the default rules but pin, the fix loop, the text report and the
// diff) on generated files of 10,000, 40,000 and 80,000 RUN lines, and
// reports the time (wall and CPU: the machine is often shared) and the
// bytes allocated per RUN line: when the pipeline is linear in the file's
// size and findings, they stay flat as the file grows.
func BenchmarkScale(b *testing.B) {
	rules := defaultRules()
	for _, n := range []int{10_000, 40_000, 80_000} {
		b.Run(fmt.Sprintf("runs=%d", n), func(b *testing.B) {
			data := scaleFile(n)
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			cpu0 := cpuTime()
			for b.Loop() {
				res, err := engine.Run(context.Background(), "Dockerfile", data, engine.Options{Transformers: rules})
				if err != nil {
					b.Fatal(err)
				}
				if err := report.Text(io.Discard, report.File{Path: "Dockerfile", Data: res.Input, Findings: res.Findings}); err != nil {
					b.Fatal(err)
				}
				if len(diff.Unified("a/Dockerfile", "b/Dockerfile", res.Input, res.Output, diff.DefaultContext)) == 0 {
					b.Fatal("no diff")
				}
			}
			cpu := cpuTime() - cpu0
			runtime.ReadMemStats(&ms1)
			runs := float64(n) * float64(b.N)
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/runs, "ns/RUN")
			b.ReportMetric(float64(cpu.Nanoseconds())/runs, "cpu-ns/RUN")
			b.ReportMetric(float64(ms1.TotalAlloc-ms0.TotalAlloc)/runs, "B/RUN")
			b.ReportMetric(0, "ns/op") // one op is the whole file: ns/RUN says it
		})
	}
}
