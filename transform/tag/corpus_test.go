package tag_test

import (
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/tag"
)

// sameImage is a registry in which every tag of a repository names one
// image and every repository has the same tags, so that every floating
// reference of the corpus has a precise tag to become: the corpus test is
// about the edits (they parse, they are stable, line endings stay), not
// about registries, which the golden tests cover with a real one.
type sameImage struct{}

var corpusTags = []string{"1", "1.2", "1.2.3", "1.2.3-slim", "1.2.3-alpine", "1.2.3-slim-bookworm", "latest", "slim", "alpine"}

func (sameImage) digest(ref string) string {
	r, err := imageref.Parse(ref)
	if err != nil {
		return ""
	}
	return fmt.Sprintf("sha256:%x", sha256.Sum256([]byte(r.Repository())))
}

func (s sameImage) Resolve(_ context.Context, req resolve.Request) resolve.Result {
	return resolve.Result{Ref: req.Ref, Digest: s.digest(req.Ref), Kind: resolve.KindIndex}
}

func (s sameImage) Manifest(_ context.Context, reference, id string) (resolve.Manifest, error) {
	if strings.HasPrefix(id, "sha256:") && id != s.digest(reference) {
		return resolve.Manifest{}, io.ErrUnexpectedEOF // a pin the registry does not know
	}
	return resolve.Manifest{Digest: s.digest(reference), Kind: resolve.KindIndex, Raw: []byte(`{"schemaVersion":2,"manifests":[]}`)}, nil
}

func (sameImage) Tags(context.Context, string, resolve.TagLimits) (resolve.Tags, error) {
	return resolve.Tags{Tags: corpusTags}, nil
}

// TestCorpus runs the rule over the shared corpus: every output parses,
// fixing it again changes nothing, line endings are kept. It logs how
// many references were rewritten. Skipped under -short.
func TestCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("corpus run skipped under -short")
	}
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "files")
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(paths) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	opts := engine.Options{Transformers: []*transform.Transformer{tag.New(tag.Options{Registry: sameImage{}})}}
	files, fixed, findings := 0, 0, 0
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		res, err := engine.Run(context.Background(), p, data, opts)
		if err != nil {
			continue // files that do not parse are the engine's tests' business
		}
		files++
		findings += len(res.Findings)
		if string(res.Output) != string(data) {
			fixed++
			transformtest.CheckInvariants(t, data, res.Output, opts)
		}
	}
	t.Logf("%d files, %d findings, %d files rewritten", files, findings, fixed)
	if fixed == 0 {
		t.Error("the corpus run rewrote nothing: the test checks nothing")
	}
}
