package corpus

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockmend/dockmend/internal/cli"
)

// BenchmarkDiff measures "dockmend diff --ignore pin" over the corpus as
// the command runs it (cli.Main: discovery, configuration files, reading,
// one parse per file, every default rule but pin, fixing, the diff written
// to io.Discard) against buildkit's bare parse of the same files, read
// from disk by as many workers. Each iteration runs one round of each,
// alternating, each after a garbage collection, so that both see the same
// machine; it reports the median ratios of CPU time (user + system: the
// machine is shared, so wall time says little) and of wall time. The goal
// is at most 1.5x in CPU; nothing here asserts a time. bench/README.md
// keeps the numbers.
func BenchmarkDiff(b *testing.B) {
	files := loadCorpus(b, false)
	dir := filepath.Join(*corpusDir, "files")
	var paths []string
	for _, f := range files {
		paths = append(paths, f.Path)
	}
	parse := func() {
		next := make(chan string)
		var wg sync.WaitGroup
		for range runtime.GOMAXPROCS(0) {
			wg.Go(func() {
				for p := range next {
					if data, err := os.ReadFile(p); err == nil {
						_, _ = parser.Parse(bytes.NewReader(data))
					}
				}
			})
		}
		for _, p := range paths {
			next <- p
		}
		close(next)
		wg.Wait()
	}
	diff := func() {
		var stderr strings.Builder
		code := cli.Main(context.Background(), []string{"diff", "--ignore", "pin", dir}, cli.Env{
			Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" },
		})
		if code == cli.ExitError && !strings.Contains(stderr.String(), "would fix") {
			b.Fatalf("dockmend diff: exit %d: %s", code, stderr.String())
		}
	}
	var cpuRatios, wallRatios []float64
	var cpu, wall [2]time.Duration
	for b.Loop() {
		var c, w [2]time.Duration
		for i, round := range []func(){parse, diff} {
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
			c0, w0 := cpuTime(), time.Now()
			round()
			c[i], w[i] = cpuTime()-c0, time.Since(w0)
			cpu[i] += c[i]
			wall[i] += w[i]
		}
		if c[0] > 0 {
			cpuRatios = append(cpuRatios, c[1].Seconds()/c[0].Seconds())
		}
		wallRatios = append(wallRatios, w[1].Seconds()/w[0].Seconds())
	}
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	n := float64(b.N)
	b.ReportMetric(cpu[0].Seconds()/n, "parse-cpu-s")
	b.ReportMetric(cpu[1].Seconds()/n, "diff-cpu-s")
	b.ReportMetric(median(cpuRatios), "x-cpu")
	b.ReportMetric(median(wallRatios), "x-wall")
	b.ReportMetric(0, "ns/op")
	msg := fmt.Sprintf("%d files, %d iterations on %d cores: parse %.2f cpu-s (%.2f s), diff %.2f cpu-s (%.2f s); diff/parse median %.2fx CPU, %.2fx wall",
		len(files), b.N, runtime.GOMAXPROCS(0), cpu[0].Seconds()/n, wall[0].Seconds()/n, cpu[1].Seconds()/n, wall[1].Seconds()/n, median(cpuRatios), median(wallRatios))
	b.Log(msg)
	fmt.Println("diff benchmark:", msg)
}
