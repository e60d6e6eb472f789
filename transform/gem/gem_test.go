package gem_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/gem"
)

func TestGem(t *testing.T) {
	transformtest.Run(t, "testdata", gem.Transformer)
}
