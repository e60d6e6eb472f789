package corpus

import (
	"bytes"
	"context"
	"fmt"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// BenchmarkCorpus measures, over the whole corpus, buildkit's parser alone
// ("parser"), dockmend's model (source.Parse, which includes the parser and
// instructions.Parse), and the pipeline (engine.Run with every default
// rule but pin), one file after another and with GOMAXPROCS workers. Each
// reports files/s; the pipeline's ratio to the parser is printed. The goal
// is a pipeline within 2x of the parser, and the corpus in under 2 s on
// 2 cores; nothing here asserts a time.
func BenchmarkCorpus(b *testing.B) {
	files := loadCorpus(b, false)
	rules := defaultRules()
	ctx := context.Background()
	rate := map[string]float64{}
	// report records the rates of a finished sub-benchmark; cpu0 is the
	// process's CPU time when its loop started. CPU time per corpus is
	// reported besides wall time because the machine is often shared.
	report := func(b *testing.B, name string, cpu0 time.Duration) {
		r := float64(len(files)*b.N) / b.Elapsed().Seconds()
		rate[name] = r
		b.ReportMetric(r, "files/s")
		b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/corpus")
		b.ReportMetric((cpuTime()-cpu0).Seconds()/float64(b.N), "cpu-s/corpus")
		b.ReportMetric(0, "ns/op") // one op is the whole corpus: s/corpus says it
	}
	b.Run("parser", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			for _, cf := range files {
				_, _ = parser.Parse(bytes.NewReader(cf.Data))
			}
		}
		report(b, "parser", cpu0)
	})
	b.Run("source", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			for _, cf := range files {
				_, _ = source.Parse(cf.Path, cf.Data)
			}
		}
		report(b, "source", cpu0)
	})
	pipeline := func(cf corpusFile, ts []*transform.Transformer) {
		_, _ = engine.Run(ctx, cf.Path, cf.Data, engine.Options{Transformers: ts})
	}
	b.Run("pipeline", func(b *testing.B) {
		cpu0 := cpuTime()
		for b.Loop() {
			for _, cf := range files {
				pipeline(cf, rules)
			}
		}
		report(b, "pipeline", cpu0)
	})
	b.Run("pipeline-parallel", func(b *testing.B) {
		workers := runtime.GOMAXPROCS(0)
		cpu0 := cpuTime()
		for b.Loop() {
			next := make(chan corpusFile)
			var wg sync.WaitGroup
			for range workers {
				wg.Go(func() {
					for cf := range next {
						pipeline(cf, rules)
					}
				})
			}
			for _, cf := range files {
				next <- cf
			}
			close(next)
			wg.Wait()
		}
		report(b, "pipeline-parallel", cpu0)
	})
	// The probe rules edit most files: the cost of fixing, re-parsing and
	// verifying, whatever rules are registered.
	b.Run("probe", func(b *testing.B) {
		probes := probeRules()
		cpu0 := cpuTime()
		for b.Loop() {
			for _, cf := range files {
				pipeline(cf, probes)
			}
		}
		report(b, "probe", cpu0)
	})
	// ratio alternates a parser round and a pipeline round in each
	// iteration, so that both see the same machine: on a shared machine
	// the rates of the sub-benchmarks above drift by 10% or more between
	// runs. Each round starts after a garbage collection, so that neither
	// pays for the other's garbage. It reports the median of the
	// per-iteration ratios of the pipeline's time to the parser's.
	ratio := 0.0
	b.Run("ratio", func(b *testing.B) {
		var ratios []float64
		for b.Loop() {
			var took [2]time.Duration
			for i := range 2 {
				// Collect first, so that neither round pays for the
				// other's garbage.
				b.StopTimer()
				runtime.GC()
				b.StartTimer()
				start := time.Now()
				for _, cf := range files {
					if i == 0 {
						_, _ = parser.Parse(bytes.NewReader(cf.Data))
					} else {
						pipeline(cf, rules)
					}
				}
				took[i] = time.Since(start)
			}
			ratios = append(ratios, took[1].Seconds()/took[0].Seconds())
		}
		slices.Sort(ratios)
		ratio = ratios[len(ratios)/2]
		b.ReportMetric(ratio, "x-parser")
		b.ReportMetric(0, "ns/op")
	})
	if rate["parser"] > 0 && rate["pipeline"] > 0 {
		msg := fmt.Sprintf("%d files, %d rules: parser %.0f files/s, source %.0f files/s, pipeline %.0f files/s (%.2fx the parser's time), pipeline on %d workers %.0f files/s (%.2f s/corpus), probe %.0f files/s (%.2fx)",
			len(files), len(rules), rate["parser"], rate["source"], rate["pipeline"], rate["parser"]/rate["pipeline"],
			runtime.GOMAXPROCS(0), rate["pipeline-parallel"], float64(len(files))/rate["pipeline-parallel"],
			rate["probe"], rate["parser"]/rate["probe"])
		if ratio > 0 {
			msg += fmt.Sprintf("; alternating rounds: pipeline %.2fx the parser's time (median)", ratio)
		}
		b.Log(msg)
		fmt.Println("corpus benchmark:", msg)
	}
}
