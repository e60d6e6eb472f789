package buildkitparser

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// BenchmarkParse parses the test corpus, one file after another, with
// buildkit's parser and with this copy (as ParseBuildkit, in buildkit's
// types, as dockmend uses it). An operation is the whole corpus.
func BenchmarkParse(b *testing.B) {
	entries, err := os.ReadDir(*corpusDir)
	if err != nil {
		b.Skipf("the test corpus is not here: %v", err)
	}
	var files [][]byte
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(*corpusDir, e.Name()))
		if err != nil {
			b.Fatal(err)
		}
		files = append(files, data)
	}
	b.Run("buildkit", func(b *testing.B) {
		for b.Loop() {
			for _, data := range files {
				_, _ = parser.Parse(bytes.NewReader(data))
			}
		}
	})
	b.Run("copy", func(b *testing.B) {
		for b.Loop() {
			for _, data := range files {
				_, _ = ParseBuildkit(data)
			}
		}
	})
}
