package source

import (
	"os"
	"path/filepath"
	"testing"
)

// corpusFiles lists the shared corpus of real Dockerfiles, which lives
// beside the checkout. Tests skip when it is absent. Under -short only every
// tenth file is taken.
func corpusFiles(t testing.TB) []string {
	t.Helper()
	dir := filepath.Join("..", "..", "..", "shared", "corpus", "files")
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	if len(files) == 0 {
		t.Skipf("corpus not found at %s", dir)
	}
	if testing.Short() {
		var some []string
		for i := 0; i < len(files); i += 10 {
			some = append(some, files[i])
		}
		files = some
	}
	return files
}

// TestCorpusMap checks the byte map of every instruction of every real
// Dockerfile that parses (see mapErrors: every logical byte maps to an
// equal file byte, ranges report contiguity correctly, flags agree with
// buildkit, heredoc bodies are found), and that every word of every shell
// RUN maps back to file bytes equal to its text.
func TestCorpusMap(t *testing.T) {
	var files, parsed, insts, heredocs, scripts, notShell, shellErr, words, split int
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
		for _, e := range mapErrors(f) {
			t.Errorf("%s: %s", p, e)
		}
		for _, e := range argErrors(f) {
			t.Errorf("%s: %s", p, e)
		}
		ws, errs := scriptWords(f)
		for _, e := range errs {
			t.Errorf("%s: %s", p, e)
		}
		for _, w := range ws {
			words++
			if !w.OK {
				split++
			}
		}
		f.Walk(func(in *Instruction) {
			insts++
			heredocs += len(in.Heredocs)
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
	t.Logf("files=%d parsed=%d instructions=%d heredocs=%d shell-scripts=%d not-shell=%d shell-parse-errors=%d words=%d split-words=%d",
		files, parsed, insts, heredocs, scripts, notShell, shellErr, words, split)
}
