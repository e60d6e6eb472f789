package dnf_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/dnf"
)

func TestDnf(t *testing.T) {
	transformtest.Run(t, "testdata", dnf.Transformer)
}
