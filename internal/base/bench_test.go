package base

import (
	"context"
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/testregistry"
)

// The fleet scenario of the issue: 100 distinct bases on 10 registries
// (10 repositories each, a two-platform index per tag), named by 200
// Dockerfiles (each base twice), every request delayed by 50 ms.
const (
	benchRegistries = 10
	benchRepos      = 10
	benchLatency    = 50 * time.Millisecond
	// benchChain is the requests one base needs one after another: the
	// index, the platform manifest, the config; then the tag list, whose
	// second page ends it (go-containerregistry's registry repeats the
	// first).
	benchChain = 5
)

func benchFleet(tb testing.TB, latency time.Duration) ([]*testregistry.Server, []File) {
	tb.Helper()
	var srvs []*testregistry.Server
	var files []File
	for r := range benchRegistries {
		srv, err := testregistry.Start(testregistry.WithFaults(testregistry.Faults{Latency: latency}))
		if err != nil {
			tb.Fatal(err)
		}
		tb.Cleanup(func() { srv.Close() })
		var imgs []testregistry.Image
		for i := range benchRepos {
			imgs = append(imgs, testregistry.Image{Repo: fmt.Sprintf("team/app%02d", i), Tag: "1.0", Kind: testregistry.KindIndex, Platforms: []string{"linux/amd64", "linux/arm64/v8"}})
			ref := fmt.Sprintf("%s/team/app%02d:1.0", srv.Host(), i)
			for f := range 2 {
				files = append(files, File{Path: fmt.Sprintf("r%d/app%02d/%d/Dockerfile", r, i, f), Data: []byte("FROM " + ref + "\nRUN true\n")})
			}
		}
		if _, err := srv.Seed(context.Background(), imgs...); err != nil {
			tb.Fatal(err)
		}
		srv.ResetLog()
		srvs = append(srvs, srv)
	}
	return srvs, files
}

func benchOptions(tb testing.TB, concurrency int) Options {
	r, err := resolve.New(resolve.WithConcurrency(concurrency), resolve.WithRetry(resolve.Retry{Attempts: 1}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(r.Close)
	return Options{Registry: r, Variants: true, Concurrency: concurrency}
}

// Each of the 100 bases costs exactly its chain of requests, and each
// registry one ping: 100 × 5 + 10 requests reach the registries. The
// client also counts one HTTPS ping per registry that fails before it is
// sent (loopback names without a mirror are tried over TLS first).
func TestBenchScenarioRequests(t *testing.T) {
	srvs, files := benchFleet(t, 0)
	rep, err := Inspect(context.Background(), files, benchOptions(t, 8))
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Bases) != benchRegistries*benchRepos || len(rep.Errors) != 0 {
		t.Fatalf("%d bases, errors %v", len(rep.Bases), rep.Errors)
	}
	want := int64(benchRegistries*benchRepos*benchChain + benchRegistries)
	if rep.Requests.Requests != want+benchRegistries || rep.Requests.ManifestGET != 200 || rep.Requests.Blob != 100 {
		t.Errorf("requests: %s; want %d", rep.Requests, want+benchRegistries)
	}
	total := 0
	for _, s := range srvs {
		total += len(s.Log())
	}
	if int64(total) != want {
		t.Errorf("the registries saw %d requests, want %d", total, want)
	}
	for _, b := range rep.Bases {
		if b.Size == 0 || len(b.Uses) != 2 || b.Error != "" {
			t.Fatalf("base %+v", b)
		}
	}
}

// BenchmarkBase100 inspects the fleet against registries that add 50 ms
// to every request, with a fresh resolver (an empty per-run cache) per
// iteration, and reports requests per run and the wall time against the
// ideal: ceil(100 / concurrency) × 5 requests × 50 ms (plus one ping per
// registry).
func BenchmarkBase100(b *testing.B) {
	for _, c := range []int{8, 16, 32} {
		b.Run(fmt.Sprintf("c%d", c), func(b *testing.B) {
			_, files := benchFleet(b, benchLatency)
			var reqs int64
			var wall time.Duration
			for b.Loop() {
				opts := benchOptions(b, c)
				start := time.Now()
				rep, err := Inspect(context.Background(), files, opts)
				wall += time.Since(start)
				if err != nil || len(rep.Errors) > 0 {
					b.Fatalf("%v %v", err, rep.Errors)
				}
				reqs = rep.Requests.Requests
			}
			ideal := time.Duration(math.Ceil(float64(benchRegistries*benchRepos)/float64(c))*benchChain+1) * benchLatency
			b.ReportMetric(float64(reqs), "requests/op")
			b.ReportMetric(float64(ideal.Milliseconds()), "ideal-ms")
			b.ReportMetric(float64(wall.Milliseconds())/float64(b.N), "wall-ms")
		})
	}
}
