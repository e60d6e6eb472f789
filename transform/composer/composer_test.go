package composer_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/composer"
)

func TestComposer(t *testing.T) {
	transformtest.Run(t, "testdata", composer.Transformer)
}
