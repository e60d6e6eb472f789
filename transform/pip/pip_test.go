package pip_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/pip"
)

func TestPip(t *testing.T) {
	transformtest.Run(t, "testdata", pip.Transformer)
}

func TestPipCacheMounts(t *testing.T) {
	transformtest.Run(t, "testdata/cache-mounts", pip.New(pip.Options{CacheMounts: true}))
}
