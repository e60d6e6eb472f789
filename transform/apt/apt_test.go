package apt_test

import (
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"
	"github.com/dockmend/dockmend/transform/apt"
)

func TestApt(t *testing.T) {
	transformtest.Run(t, "testdata", apt.Transformer)
}

func TestAptCacheMounts(t *testing.T) {
	transformtest.Run(t, "testdata/cache-mounts", apt.New(apt.Options{CacheMounts: true}))
}
