package multistage

import (
	"testing"

	"github.com/dockmend/dockmend/internal/golden"
	"golang.org/x/tools/txtar"
)

const (
	docsFile   = "../../docs/multistage.md"
	docsGolden = "testdata/cmake-etc-install.txtar"
	docsBegin  = "<!-- golden: transform/multistage/testdata/cmake-etc-install.txtar (checked by go test ./transform/multistage) -->"
	docsEnd    = "<!-- end of golden -->"
)

// TestDocsExample checks that the before/after example in
// docs/multistage.md is the cmake-etc-install golden's output as it is; -update
// rewrites it.
func TestDocsExample(t *testing.T) {
	ar, err := txtar.ParseFile(docsGolden)
	if err != nil {
		t.Fatal(err)
	}
	var out string
	for _, f := range ar.Files {
		if f.Name == "Dockerfile.golden" {
			out = string(f.Data)
		}
	}
	if out == "" {
		t.Fatalf("%s has no Dockerfile.golden", docsGolden)
	}
	golden.Block(t, docsFile, docsBegin, docsEnd, "\n```dockerfile\n"+out+"```\n")
}
