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
	"github.com/dockmend/dockmend/internal/ruleset"
)

// BenchmarkDiff measures "dockmend diff --ignore pin" over the corpus as
// the command runs it (cli.Main: discovery, configuration files, reading,
// one parse per file, every default rule but pin, fixing, the diff written
// to io.Discard) against buildkit's bare parse of the same files, read
// from disk by as many workers. Each iteration runs one round of each,
// alternating, each after a garbage collection, so that both see the same
// machine; it reports the median ratios of CPU time (user + system: the
// machine is shared, so wall time says little) and of wall time. Two more
// rounds split the cost: diff with every rule ignored, and check (the
// rules' first pass). The goal is at most 1.5x in CPU; nothing here
// asserts a time. bench/README.md keeps the numbers.
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
	var everyRule []string
	for _, t := range ruleset.All(ruleset.Config{}) {
		everyRule = append(everyRule, t.Name)
	}
	// dockmend runs cli.Main with args and the corpus directory. A run
	// whose errors are not the corpus files' own (two do not parse) stops
	// the benchmark.
	dockmend := func(args ...string) func() {
		return func() {
			var stderr strings.Builder
			code := cli.Main(context.Background(), append(args, dir), cli.Env{
				Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: &stderr, Getenv: func(string) string { return "" },
			})
			if code != cli.ExitError {
				return
			}
			for line := range strings.Lines(stderr.String()) {
				if !strings.HasPrefix(line, dir+string(filepath.Separator)) && !strings.HasPrefix(line, "would fix") {
					b.Fatalf("dockmend %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
				}
			}
		}
	}
	// The rounds: the parser alone; diff with every rule ignored (what
	// the command costs before any rule: discovery, reading, parsing,
	// the report); check (the rules' first pass, no fixes); and diff
	// (the rules, then fixing and re-checking what they change).
	rounds := []struct {
		name string
		run  func()
	}{
		{"parse", parse},
		{"no-rules", dockmend("diff", "--ignore", strings.Join(everyRule, ","))},
		{"check", dockmend("check", "--ignore", "pin")},
		{"diff", dockmend("diff", "--ignore", "pin")},
	}
	ratios := make([][]float64, len(rounds))
	var wallRatios []float64
	cpu := make([]time.Duration, len(rounds))
	wall := make([]time.Duration, len(rounds))
	for b.Loop() {
		c := make([]time.Duration, len(rounds))
		w := make([]time.Duration, len(rounds))
		for i, r := range rounds {
			b.StopTimer()
			runtime.GC()
			b.StartTimer()
			c0, w0 := cpuTime(), time.Now()
			r.run()
			c[i], w[i] = cpuTime()-c0, time.Since(w0)
			cpu[i] += c[i]
			wall[i] += w[i]
		}
		if c[0] > 0 {
			for i := range rounds {
				ratios[i] = append(ratios[i], c[i].Seconds()/c[0].Seconds())
			}
		}
		wallRatios = append(wallRatios, w[len(w)-1].Seconds()/w[0].Seconds())
	}
	median := func(xs []float64) float64 {
		if len(xs) == 0 {
			return 0
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	n := float64(b.N)
	last := len(rounds) - 1
	b.ReportMetric(cpu[0].Seconds()/n, "parse-cpu-s")
	b.ReportMetric(cpu[last].Seconds()/n, "diff-cpu-s")
	b.ReportMetric(median(ratios[last]), "x-cpu")
	b.ReportMetric(median(wallRatios), "x-wall")
	b.ReportMetric(0, "ns/op")
	var split []string
	for i, r := range rounds[1:] {
		split = append(split, fmt.Sprintf("%s %.2f cpu-s (%.2fx)", r.name, cpu[i+1].Seconds()/n, median(ratios[i+1])))
	}
	msg := fmt.Sprintf("%d files, %d iterations on %d cores: parse %.2f cpu-s (%.2f s), diff %.2f cpu-s (%.2f s); diff/parse median %.2fx CPU, %.2fx wall; by round, CPU against the parse: %s",
		len(files), b.N, runtime.GOMAXPROCS(0), cpu[0].Seconds()/n, wall[0].Seconds()/n, cpu[last].Seconds()/n, wall[last].Seconds()/n,
		median(ratios[last]), median(wallRatios), strings.Join(split, ", "))
	b.Log(msg)
	fmt.Println("diff benchmark:", msg)
}
