package pin

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/testregistry"
	"github.com/dockmend/dockmend/transform"
)

// countingResolver answers every tag with a fixed digest after a delay,
// counting calls and the most calls in flight at once.
type countingResolver struct {
	delay time.Duration

	mu       sync.Mutex
	calls    map[resolve.Request]int
	inFlight int
	peak     int
}

func (r *countingResolver) Resolve(ctx context.Context, req resolve.Request) resolve.Result {
	r.mu.Lock()
	if r.calls == nil {
		r.calls = map[resolve.Request]int{}
	}
	r.calls[req]++
	r.inFlight++
	r.peak = max(r.peak, r.inFlight)
	r.mu.Unlock()
	time.Sleep(r.delay)
	r.mu.Lock()
	r.inFlight--
	r.mu.Unlock()
	return resolve.Result{Ref: req.Ref, Digest: "sha256:" + strings.Repeat("a", 64), Kind: resolve.KindIndex}
}

func parseAll(t testing.TB, srcs ...string) []*source.File {
	t.Helper()
	var files []*source.File
	for i, src := range srcs {
		f, err := source.Parse(fmt.Sprintf("Dockerfile.%d", i), []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	return files
}

func TestQueries(t *testing.T) {
	f := parseAll(t, "# syntax=docker/dockerfile:1\nFROM python:3.12 AS a\nCOPY --from=docker.io/library/python:3.12 / /\n"+
		"FROM --platform=linux/amd64 python:3.12\nFROM python:${V}\nFROM ubuntu@sha256:"+strings.Repeat("b", 64)+"\n")[0]
	got := Queries(f, Options{Platform: "linux/arm64"})
	want := []Query{
		{Ref: "docker/dockerfile:1", Canonical: "docker.io/docker/dockerfile:1"},
		{Ref: "python:3.12", Canonical: "docker.io/library/python:3.12", Platform: "linux/arm64"},
		{Ref: "docker.io/library/python:3.12", Canonical: "docker.io/library/python:3.12", Platform: "linux/arm64"},
		{Ref: "python:3.12", Canonical: "docker.io/library/python:3.12", Platform: "linux/amd64"},
		{Ref: "ubuntu@sha256:" + strings.Repeat("b", 64), Canonical: "docker.io/library/ubuntu:latest@sha256:" + strings.Repeat("b", 64), Platform: "linux/arm64"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("Queries =\n%v\nwant\n%v", got, want)
	}
}

// TestPrefetch checks that the rule's Prepare asks once per distinct reference,
// however many files name it, with at most Concurrency lookups at a time,
// and that the rule then finds everything it needs without new questions.
func TestPrefetch(t *testing.T) {
	var srcs []string
	for i := range 60 {
		srcs = append(srcs, fmt.Sprintf("FROM img%d:1 AS a\nCOPY --from=img%d:1 / /\nFROM img%d:2\n", i%20, (i+1)%20, i%20))
	}
	files := parseAll(t, srcs...)
	r := &countingResolver{delay: 5 * time.Millisecond}
	opts := Options{Resolver: r, Concurrency: 3}
	if err := New(opts).Prepare(context.Background(), files); err != nil {
		t.Fatal(err)
	}
	if len(r.calls) != 40 {
		t.Errorf("%d distinct requests, want 40", len(r.calls))
	}
	for req, n := range r.calls {
		if n != 1 {
			t.Errorf("%v asked %d times", req, n)
		}
	}
	if r.peak > 3 || r.peak < 2 {
		t.Errorf("peak concurrency %d, want at most 3 (and some parallelism)", r.peak)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := New(opts).Prepare(ctx, files); err == nil {
		t.Error("Prepare with a cancelled context: no error")
	}
}

// latencySetup seeds one test registry with n tags behind a fixed latency
// per request and returns a resolver for it and m Dockerfiles that name the
// tags round-robin, three references each.
func latencySetup(t testing.TB, n, m int, latency time.Duration) (*testregistry.Server, *resolve.Resolver, []*source.File) {
	t.Helper()
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	var images []testregistry.Image
	for i := range n {
		images = append(images, testregistry.Image{Repo: fmt.Sprintf("library/img%d", i), Tag: "1", Kind: testregistry.KindIndex, Platforms: []string{"linux/amd64"}})
	}
	if _, err := srv.Seed(context.Background(), images...); err != nil {
		t.Fatal(err)
	}
	srv.SetFaults(testregistry.Faults{Latency: latency})
	r, err := resolve.New(
		resolve.WithMirror("docker.io", srv.URL()),
		resolve.WithKeychain(authn.NewMultiKeychain()),
	)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	var srcs []string
	for i := range m {
		srcs = append(srcs, fmt.Sprintf("FROM img%d:1 AS a\nCOPY --from=img%d:1 / /\nFROM img%d:1\n", i%n, (i+1)%n, (i+2)%n))
	}
	return srv, r, parseAll(t, srcs...)
}

// pinAll pins every file like the CLI's driver: Prepare resolves every
// distinct reference, then the files are fixed in parallel, each fix
// finding its answers in the resolver's cache. It returns the number of
// fixes and how long Prepare took.
func pinAll(t testing.TB, r Resolver, files []*source.File) (int, time.Duration) {
	ctx := context.Background()
	start := time.Now()
	opts := Options{Resolver: r}
	if err := New(opts).Prepare(ctx, files); err != nil {
		t.Fatal(err)
	}
	prefetched := time.Since(start)
	ts := []*transform.Transformer{New(opts)}
	var fixed atomic.Int64
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for _, f := range files {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			res, err := engine.Run(ctx, f.Path, f.Data, engine.Options{Transformers: ts})
			if err != nil {
				t.Error(err)
				return
			}
			if len(res.Remaining) != 0 || res.Fixed != 3 {
				t.Errorf("%s: fixed %d, remaining %v", f.Path, res.Fixed, res.Remaining)
			}
			fixed.Add(int64(res.Fixed))
		}()
	}
	wg.Wait()
	return int(fixed.Load()), prefetched
}

// TestPinRequests: 500 Dockerfiles name 100 unique references on a
// registry that takes 5 ms per request. Every reference costs exactly one
// manifest HEAD and no GET, however many files name it, and every
// reference is pinned. How long that takes is BenchmarkPinLatency's to
// report: a test never fails on timing. Skipped under -short.
func TestPinRequests(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped under -short")
	}
	const n, m, latency = 100, 500, 5 * time.Millisecond
	srv, r, files := latencySetup(t, n, m, latency)
	fixed, _ := pinAll(t, r, files)
	heads, gets := srv.Count("HEAD", "/manifests/"), srv.Count("GET", "/manifests/")
	if heads != n || gets != 0 {
		t.Errorf("%d HEAD and %d GET of manifests, want %d and 0", heads, gets, n)
	}
	if fixed != 3*m {
		t.Errorf("fixed %d references, want %d", fixed, 3*m)
	}
}

// BenchmarkPinLatency is the latency goal as a measurement: 500
// Dockerfiles name 100 unique references on a registry that takes 50 ms
// per request, and resolving them should take about the ideal
// ceil(100/concurrency) x 50 ms. It reports, per run, the requests per
// unique reference, the lookups' wall time over that ideal
// (lookup-x-ideal), and the end-to-end time, parsing and fixing the 500
// files included, over the ideal (total-x-ideal). Run it with
// go test -run '^$' -bench PinLatency ./transform/pin.
func BenchmarkPinLatency(b *testing.B) {
	const n, m, latency = 100, 500, 50 * time.Millisecond
	for b.Loop() {
		b.StopTimer()
		srv, r, files := latencySetup(b, n, m, latency)
		b.StartTimer()
		start := time.Now()
		_, prefetched := pinAll(b, r, files)
		wall := time.Since(start)
		b.StopTimer()
		ideal := time.Duration(math.Ceil(float64(n)/resolve.DefaultConcurrency)) * latency
		b.ReportMetric(float64(srv.Count("HEAD", "/manifests/"))/n, "HEAD/ref")
		b.ReportMetric(float64(srv.Count("GET", "/manifests/"))/n, "GET/ref")
		b.ReportMetric(float64(prefetched)/float64(ideal), "lookup-x-ideal")
		b.ReportMetric(float64(wall)/float64(ideal), "total-x-ideal")
		b.StartTimer()
	}
}
