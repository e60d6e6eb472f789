package pin

import (
	"context"
	"fmt"
	"math/rand"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/name"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/random"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/testregistry"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform"
)

// corpusFiles lists the shared corpus of real Dockerfiles, which lives
// beside the checkout and is never copied into the repository. The test
// skips when it is absent.
func corpusFiles(t *testing.T) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "files")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	return files
}

// TestCorpus pins every file of the shared corpus against one test
// registry that serves every image the corpus names without a digest (each
// tag a small multi-platform index), reached through mirrors for all the
// corpus's registries. For every reference it checks the outcome:
//
//   - a reference that can be pinned is pinned with exactly the digest the
//     registry serves for its tag;
//   - a reference that cannot be pinned has a finding that says why;
//   - a reference already pinned is checked and left as is (its digest
//     is unknown to the test registry: when its tag is served the pin is
//     reported as gone, with the tag's digest to refresh to, else the
//     lookup of the tag fails);
//   - checking the fixed file with the same options reports nothing the
//     fix introduced (fix && check can pass in CI);
//
// Seeding a few thousand tags must be quick, so every tag is its own index
// over two platform images they all share (see seedShared).
//
// and for every file that the output parses and fixing it again changes
// nothing. It logs the counts. Skipped under -short.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus pinning skipped under -short")
	}
	paths := corpusFiles(t)
	start := time.Now()

	// Parse everything and collect the references.
	type input struct {
		f     *source.File
		sites []*site
	}
	var inputs []input
	unparsed := 0
	tags := map[string]testregistry.Image{} // canonical name -> image to seed
	hosts := map[string]bool{}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := source.Parse(p, data)
		if err != nil {
			unparsed++
			continue
		}
		sites := collect(f, &Options{})
		inputs = append(inputs, input{f, sites})
		for _, s := range sites {
			if s.skip != nil || s.ref.Digest != "" {
				continue
			}
			hosts[s.ref.Domain] = true
			tags[s.ref.Canonical()] = testregistry.Image{
				Repo: s.ref.Path, Tag: s.ref.TagOrDefault(),
				Kind: testregistry.KindIndex, Platforms: []string{"linux/amd64", "linux/arm64/v8"},
			}
		}
	}

	parseTime := time.Since(start)

	// Serve them all.
	srv, err := testregistry.Start()
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var images []testregistry.Image
	seenRepoTag := map[string]bool{}
	for _, img := range tags {
		if k := img.Repo + ":" + img.Tag; !seenRepoTag[k] {
			seenRepoTag[k] = true
			images = append(images, img)
		}
	}
	sort.Slice(images, func(i, j int) bool { return images[i].String() < images[j].String() })
	digest := seedShared(t, srv, images) // repo:tag -> digest
	seedTime := time.Since(start) - parseTime

	ropts := []resolve.Option{
		resolve.WithKeychain(authn.NewMultiKeychain()),
		resolve.WithRetry(resolve.Retry{Initial: 5 * time.Millisecond, Max: 20 * time.Millisecond}),
		resolve.WithTimeouts(resolve.Timeouts{Lookup: 20 * time.Second}),
	}
	for h := range hosts {
		ropts = append(ropts, resolve.WithMirror(h, srv.URL()))
	}
	r, err := resolve.New(ropts...)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()

	// Pin, file by file, in parallel.
	opts := Options{Resolver: r}
	var files []*source.File
	for _, in := range inputs {
		files = append(files, in.f)
	}
	if err := New(opts).Prepare(context.Background(), files); err != nil {
		t.Fatal(err)
	}
	eopts := engine.Options{Transformers: []*transform.Transformer{New(opts)}}

	var mu sync.Mutex
	counts := map[string]int{}
	count := func(k string) { mu.Lock(); counts[k]++; mu.Unlock() }
	work := make(chan input)
	var wg sync.WaitGroup
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for in := range work {
				checkCorpusFile(t, in.f.Path, in.f.Data, in.sites, eopts, digest, count)
			}
		}()
	}
	for _, in := range inputs {
		work <- in
	}
	close(work)
	wg.Wait()

	var keys []string
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "\n  %6d  %s", counts[k], k)
	}
	t.Logf("%d files (%d not parsable by buildkit), %d distinct tags served; parsed in %v, seeded in %v, total %v; %s; references:%s",
		len(paths), unparsed, len(images), parseTime.Round(time.Millisecond), seedTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond), r.Stats(), b.String())
}

// seedShared pushes one multi-platform index per image, each a distinct
// index (it names its tag in an annotation) over two platform images that
// all of them share, so that thousands of tags cost a manifest upload each.
// It talks to srv with testregistry.SeedHeader, so nothing is logged. It
// returns the digest of each "repo:tag".
func seedShared(t *testing.T, srv *testregistry.Server, images []testregistry.Image) map[string]string {
	t.Helper()
	var adds []mutate.IndexAddendum
	for _, p := range []string{"linux/amd64", "linux/arm64/v8"} {
		plat, err := v1.ParsePlatform(p)
		if err != nil {
			t.Fatal(err)
		}
		img, err := random.Image(64, 1, random.WithSource(rand.NewSource(int64(len(adds)))))
		if err != nil {
			t.Fatal(err)
		}
		adds = append(adds, mutate.IndexAddendum{Add: img, Descriptor: v1.Descriptor{Platform: plat}})
	}
	base := mutate.AppendManifests(empty.Index, adds...)
	tr := seedTransport{http.DefaultTransport}
	digests := make([]string, len(images))
	g := new(errgroup.Group)
	g.SetLimit(8)
	for i, img := range images {
		g.Go(func() error {
			ref, err := name.NewTag(srv.Host()+"/"+img.Repo+":"+img.Tag, name.Insecure)
			if err != nil {
				return err
			}
			idx := mutate.Annotations(base, map[string]string{"org.opencontainers.image.ref.name": img.Repo + ":" + img.Tag}).(v1.ImageIndex)
			if err := remote.WriteIndex(ref, idx, remote.WithTransport(tr)); err != nil {
				return fmt.Errorf("seeding %s: %w", ref, err)
			}
			d, err := idx.Digest()
			digests[i] = d.String()
			return err
		})
	}
	if err := g.Wait(); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for i, img := range images {
		out[img.Repo+":"+img.Tag] = digests[i]
	}
	return out
}

// seedTransport marks requests as seeding traffic.
type seedTransport struct{ inner http.RoundTripper }

func (t seedTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	req = req.Clone(req.Context())
	req.Header.Set(testregistry.SeedHeader, "1")
	return t.inner.RoundTrip(req)
}

// checkCorpusFile fixes one file and checks every reference's outcome.
func checkCorpusFile(t *testing.T, path string, data []byte, sites []*site, eopts engine.Options, digest map[string]string, count func(string)) {
	res, err := engine.Run(context.Background(), path, data, eopts)
	if err != nil {
		t.Errorf("%s: %v", path, err)
		count("file error")
		return
	}
	out, err := source.Parse(path, res.Output)
	if err != nil {
		t.Errorf("%s: output does not parse: %v", path, err)
		return
	}
	after := collect(out, &Options{})
	if len(after) != len(sites) {
		t.Errorf("%s: %d references before fixing, %d after", path, len(sites), len(after))
		return
	}
	findingAt := map[int]string{}
	for _, fd := range res.Findings {
		findingAt[fd.Start] = fd.Message
	}
	for i, s := range sites {
		msg, reported := findingAt[s.start]
		switch {
		case s.skip != nil:
			count("skipped: " + s.skip.kind.String())
			if !reported || !strings.Contains(msg, s.skip.reason()) {
				t.Errorf("%s: %s: skipped without its reason (finding %q)", path, s.text, msg)
			}
		case s.ref.Digest != "":
			switch msg := findingAt[s.start]; {
			case strings.Contains(msg, "which the registry no longer has"):
				count("already pinned (digest unknown here, tag served: reported as gone)")
			default:
				count("already pinned (digest unknown here, tag not served: lookup fails)")
			}
			if after[i].ref.Text != s.ref.Text {
				t.Errorf("%s: pinned %s changed to %s", path, s.ref.Text, after[i].ref.Text)
			}
		default:
			want := digest[s.ref.Path+":"+s.ref.TagOrDefault()]
			got := after[i].ref.Digest
			// An untagged reference gets the tag docker pulls written out.
			familiar := s.ref.Name + ":" + s.ref.TagOrDefault()
			if got != want || after[i].ref.Familiar() != familiar {
				t.Errorf("%s: %s: got %s, want %s@%s (finding %q)", path, s.text, after[i].ref.Text, familiar, want, msg)
				continue
			}
			count("pinned: " + s.place.String())
			if s.via != "" {
				count("pinned through an ARG default")
			}
		}
	}
	transformtest.CheckInvariants(t, data, res.Output, eopts)
	transformtest.CheckAfterFix(t, res, eopts)
	if res.Changed() {
		count("files fixed, then checked: nothing new")
	}
}
