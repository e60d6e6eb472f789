package zypper_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/zypper"
)

func TestZypper(t *testing.T) {
	transformtest.Run(t, "testdata", zypper.Transformer)
}
