package source

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusDir is where the shared corpus of real Dockerfiles lives, beside the
// checkout. Tests skip when it is absent.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "files")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	return files
}

// TestCorpusMap checks that the byte map reproduces buildkit's text for
// every instruction of every real Dockerfile that buildkit parses, and that
// heredoc bodies and shell programs are found.
func TestCorpusMap(t *testing.T) {
	var files, parsed, insts, unmapped, heredocs, scripts, notShell, shellErr int
	for _, p := range corpusFiles(t) {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		files++
		f, err := Parse(p, data)
		if err != nil {
			continue
		}
		parsed++
		f.Walk(func(in *Instruction) {
			insts++
			if in.MapErr != nil {
				unmapped++
				t.Errorf("%s: %v", p, in.MapErr)
				return
			}
			for _, h := range in.Heredocs {
				heredocs++
				if h.MapErr != nil {
					t.Errorf("%s: %v", p, h.MapErr)
				}
			}
			if in.Is("RUN") {
				_, err := in.Script()
				switch {
				case err == nil:
					scripts++
				case isNotShell(err):
					notShell++
				default:
					shellErr++
				}
			}
		})
	}
	t.Logf("files=%d parsed=%d instructions=%d unmapped=%d heredocs=%d shell scripts=%d not-shell=%d shell-parse-errors=%d",
		files, parsed, insts, unmapped, heredocs, scripts, notShell, shellErr)
}
