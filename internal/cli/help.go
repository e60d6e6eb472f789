package cli

import (
	"embed"
	"strings"
)

// helpFiles holds the commands' long help and examples, one text file
// each (help/NAME.txt and help/NAME.example.txt), so that the prose of
// --help is edited as text, apart from the code that reads the flags.
//
//go:embed help/*.txt
var helpFiles embed.FS

// helpText returns the text of help/NAME.txt without its final newline.
// A missing file is a programming error, caught by the tests.
func helpText(name string) string {
	b, err := helpFiles.ReadFile("help/" + name + ".txt")
	if err != nil {
		panic("cli: no help text " + name + ": " + err.Error())
	}
	return strings.TrimSuffix(string(b), "\n")
}
