package apt_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/apt"
)

func TestApt(t *testing.T) {
	transformtest.Run(t, "testdata", apt.Transformer)
}
