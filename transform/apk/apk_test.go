package apk_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/apk"
)

func TestApk(t *testing.T) {
	transformtest.Run(t, "testdata", apk.Transformer)
}
