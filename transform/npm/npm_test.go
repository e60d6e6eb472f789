package npm_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/npm"
)

func TestNpm(t *testing.T) {
	transformtest.Run(t, "testdata", npm.Transformer)
}

func TestNpmCacheMounts(t *testing.T) {
	transformtest.Run(t, "testdata/cache-mounts", npm.New(npm.Options{CacheMounts: true}))
}
