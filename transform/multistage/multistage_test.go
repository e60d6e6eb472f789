package multistage

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/apt"
)

func TestGolden(t *testing.T) {
	transformtest.Run(t, "testdata", New(Options{}))
}

// TestWithApt runs the rule together with apt, as dockmend does by default:
// their fixes combine and the result is stable.
func TestWithApt(t *testing.T) {
	transformtest.Run(t, "testdata/with-apt", apt.Transformer, New(Options{}))
}
