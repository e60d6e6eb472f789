package source

import (
	"testing"

	"github.com/dockmend/dockmend/internal/golden"
	"golang.org/x/tools/txtar"
)

// TestTraps runs the model's invariants over the trap fixtures: every one
// parses, maps byte for byte, agrees with buildkit on flags and ARGs, and
// maps every shell word back to its bytes.
func TestTraps(t *testing.T) {
	ar, err := txtar.ParseFile("testdata/traps.txtar")
	if err != nil {
		t.Fatal(err)
	}
	if len(ar.Files) < 10 {
		t.Fatalf("only %d fixtures in traps.txtar", len(ar.Files))
	}
	words := 0
	for _, fx := range ar.Files {
		t.Run(fx.Name, func(t *testing.T) {
			f := mustParse(t, string(golden.Unescape(fx.Data)))
			for _, e := range mapErrors(f) {
				t.Error(e)
			}
			for _, e := range argErrors(f) {
				t.Error(e)
			}
			ws, errs := scriptWords(f)
			for _, e := range errs {
				t.Error(e)
			}
			words += len(ws)
		})
	}
	if words < 50 {
		t.Errorf("only %d shell words checked", words)
	}
}
