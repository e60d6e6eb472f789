package multistage

import (
	"flag"
	"os"
	"strings"
	"testing"

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
	data, err := os.ReadFile(docsFile)
	if err != nil {
		t.Skipf("no docs: %v", err)
	}
	ar, err := txtar.ParseFile(docsGolden)
	if err != nil {
		t.Fatal(err)
	}
	var golden string
	for _, f := range ar.Files {
		if f.Name == "Dockerfile.golden" {
			golden = string(f.Data)
		}
	}
	doc := string(data)
	i, j := strings.Index(doc, docsBegin), strings.Index(doc, docsEnd)
	if i < 0 || j < i || golden == "" {
		t.Fatalf("%s has no %q ... %q block, or %s no golden", docsFile, docsBegin, docsEnd, docsGolden)
	}
	want := docsBegin + "\n```dockerfile\n" + golden + "```\n" + docsEnd
	if doc[i:j+len(docsEnd)] == want {
		return
	}
	if f := flag.Lookup("update"); f != nil && f.Value.String() == "true" { // transformtest's flag
		if err := os.WriteFile(docsFile, []byte(doc[:i]+want+doc[j+len(docsEnd):]), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("%s: the example differs from %s; run go test ./transform/multistage -update", docsFile, docsGolden)
}
