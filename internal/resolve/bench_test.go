package resolve

import (
	"context"
	"fmt"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/testregistry"
)

// The pin scenario of the issue: 500 Dockerfiles naming 100 unique
// references (50 repositories × 2 tags, half multi-platform indexes, under
// Docker Hub names reached through a mirror), 3 FROMs per file.
const (
	benchFiles     = 500
	benchRepos     = 50
	benchTags      = 2
	benchFromsFile = 3
	benchLatency   = 50 * time.Millisecond
)

// benchScenario seeds the registry and returns the references of each file.
func benchScenario(tb testing.TB, srv *testregistry.Server) [][]string {
	tb.Helper()
	var imgs []testregistry.Image
	var unique []string
	for r := range benchRepos {
		for tag := range benchTags {
			img := testregistry.Image{Repo: fmt.Sprintf("library/base%02d", r), Tag: fmt.Sprintf("%d.0", tag+1), Kind: testregistry.KindImage, Platforms: []string{"linux/amd64"}}
			if r%2 == 0 {
				img.Kind, img.Platforms = testregistry.KindIndex, []string{"linux/amd64", "linux/arm64/v8"}
			}
			imgs = append(imgs, img)
			unique = append(unique, fmt.Sprintf("base%02d:%d.0", r, tag+1))
		}
	}
	if _, err := srv.Seed(context.Background(), imgs...); err != nil {
		tb.Fatal(err)
	}
	files := make([][]string, benchFiles)
	for i := range files {
		for j, mul := range []int{7, 13, 31}[:benchFromsFile] {
			ref := unique[(i*mul+j)%len(unique)]
			if i%5 == 0 {
				ref = "docker.io/library/" + ref // another spelling, same reference
			}
			files[i] = append(files[i], ref)
		}
	}
	return files
}

// Exactly one HEAD per unique reference, no GET, one ping: the request
// counts of the benchmark scenario, without latency.
func TestBenchScenarioRequests(t *testing.T) {
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	files := benchScenario(t, srv)
	r, err := New(WithMirror("docker.io", srv.URL()), WithRetry(fast))
	if err != nil {
		t.Fatal(err)
	}
	var reqs []Request
	for _, f := range files {
		for _, ref := range f {
			reqs = append(reqs, Request{Ref: ref})
		}
	}
	for _, res := range resolveAll(context.Background(), r, reqs) {
		if res.Err != nil {
			t.Fatal(res.Err)
		}
	}
	unique := benchRepos * benchTags
	st := r.Stats()
	if st.ManifestHEAD != int64(unique) || st.ManifestGET != 0 || st.Pings != 1 || st.Requests != int64(unique)+1 {
		t.Errorf("stats: %s; want %d HEADs and one ping", st, unique)
	}
	if got := srv.Count("HEAD", "/manifests/"); got != unique {
		t.Errorf("registry saw %d HEADs, want %d", got, unique)
	}
}

// BenchmarkPin500Files resolves the scenario against a registry that adds
// 50 ms to every request, with a fresh Resolver (an empty per-run cache) per
// iteration. It reports requests per run and the wall time against the
// ideal ceil(100/concurrency) × 50 ms.
//
//	batch:    every file's references collected, then resolved at most the
//	          concurrency at once, as the pin rule's Prepare does
//	per-file: one goroutine per file calling Resolve for each of its FROMs
//	token:    batch, against a registry that wants a bearer token per repository
func BenchmarkPin500Files(b *testing.B) {
	for _, bc := range []struct {
		name        string
		concurrency int
		perFile     bool
		token       bool
	}{
		{"batch/c8", 8, false, false},
		{"batch/c16", 16, false, false},
		{"per-file/c8", 8, true, false},
		{"token/c8", 8, false, true},
	} {
		b.Run(bc.name, func(b *testing.B) {
			opts := []testregistry.Option{}
			if bc.token {
				opts = append(opts, testregistry.WithTokenAuth(testregistry.Auth{}))
			}
			srv, err := testregistry.Start(opts...)
			if err != nil {
				b.Fatal(err)
			}
			defer srv.Close()
			files := benchScenario(b, srv)
			srv.SetFaults(testregistry.Faults{Latency: benchLatency})

			var total Stats
			var wall time.Duration
			b.ResetTimer()
			for b.Loop() {
				r, err := New(WithMirror("docker.io", srv.URL()), WithConcurrency(bc.concurrency), WithKeychain(staticKeychain{}))
				if err != nil {
					b.Fatal(err)
				}
				start := time.Now()
				if bc.perFile {
					var wg sync.WaitGroup
					for _, f := range files {
						wg.Add(1)
						go func() {
							defer wg.Done()
							for _, ref := range f {
								if res := r.Resolve(context.Background(), Request{Ref: ref}); res.Err != nil {
									b.Error(res.Err)
								}
							}
						}()
					}
					wg.Wait()
				} else {
					var reqs []Request
					for _, f := range files {
						for _, ref := range f {
							reqs = append(reqs, Request{Ref: ref})
						}
					}
					for _, res := range resolveAll(context.Background(), r, reqs) {
						if res.Err != nil {
							b.Fatal(res.Err)
						}
					}
				}
				wall += time.Since(start)
				st := r.Stats()
				total.ManifestHEAD += st.ManifestHEAD
				total.ManifestGET += st.ManifestGET
				total.Pings += st.Pings
				total.Tokens += st.Tokens
				total.Requests += st.Requests
				r.Close()
			}
			n := float64(b.N)
			unique := benchRepos * benchTags
			ideal := math.Ceil(float64(unique)/float64(bc.concurrency)) * float64(benchLatency.Milliseconds())
			wallMS := float64(wall.Milliseconds()) / n
			b.ReportMetric(float64(total.ManifestHEAD)/n, "heads/op")
			b.ReportMetric(float64(total.ManifestGET)/n, "gets/op")
			b.ReportMetric(float64(total.Pings)/n, "pings/op")
			b.ReportMetric(float64(total.Tokens)/n, "tokens/op")
			b.ReportMetric(float64(total.Requests)/n, "requests/op")
			b.ReportMetric(ideal, "ideal-ms")
			b.ReportMetric(wallMS, "wall-ms")
			b.ReportMetric(wallMS/ideal, "ratio")
		})
	}
}
