package yarn_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/yarn"
)

func TestYarn(t *testing.T) {
	transformtest.Run(t, "testdata", yarn.Transformer)
}
