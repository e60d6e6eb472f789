package imageref

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-containerregistry/pkg/name"

	"github.com/dockmend/dockmend/internal/source"
)

// corpusRefs returns the distinct literal image references of the shared
// corpus: FROM bases and COPY and ADD --from values without variables.
func corpusRefs(t *testing.T) []string {
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "files")
	paths, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(paths) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	seen := map[string]bool{}
	var out []string
	add := func(s string) {
		if s != "" && !strings.Contains(s, "$") && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := source.Parse(p, data)
		if err != nil {
			continue
		}
		for _, in := range f.Instructions {
			switch {
			case in.Is("FROM"):
				if fs := in.Fields(); len(fs) > 0 {
					add(fs[0].Text)
				}
			case in.Is("COPY") || in.Is("ADD"):
				if fl := in.Flag("from"); fl != nil {
					add(fl.Value)
				}
			}
		}
	}
	return out
}

// TestCorpusAgreesWithGGCR checks imageref, the one parser of image names
// (internal/resolve keys its cache and the lock file with its names),
// against go-containerregistry's name package on every literal reference
// of the shared corpus (FROM, COPY and ADD --from): both accept or both
// reject it, and where they accept it they give the same canonical name.
// Skipped when the corpus is absent.
func TestCorpusAgreesWithGGCR(t *testing.T) {
	refs := corpusRefs(t)
	var agree, rejected int
	for _, s := range refs {
		r, err := Parse(s)
		g, gerr := name.ParseReference(s, name.WeakValidation)
		switch {
		case err != nil && gerr != nil:
			rejected++
		case err != nil:
			t.Errorf("%q: go-containerregistry accepts it, imageref says %v", s, err)
		case gerr != nil:
			t.Errorf("%q: imageref accepts it, go-containerregistry says %v", s, gerr)
		default:
			reg := strings.ToLower(g.Context().RegistryStr())
			if reg == name.DefaultRegistry {
				reg = DockerHub
			}
			tag := r.TagOrDefault() // a digest reference keeps no tag in ggcr
			if tg, ok := g.(name.Tag); ok {
				tag = tg.TagStr()
			}
			if want := reg + "/" + g.Context().RepositoryStr() + ":" + tag; r.Canonical() != want {
				t.Errorf("%q: imageref names it %s, go-containerregistry %s", s, r.Canonical(), want)
				continue
			}
			agree++
		}
	}
	t.Logf("%d distinct literal references: %d parsed alike, %d rejected by both", len(refs), agree, rejected)
}
