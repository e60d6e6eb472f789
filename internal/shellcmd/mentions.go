package shellcmd

import (
	"strings"

	"github.com/dockmend/dockmend/internal/source"
)

// Mentions reports whether the command text of a RUN (its heredoc bodies
// included) contains one of words, also once quotes and backslashes are
// taken out (so that a"p"t and ap\t count as apt). A command named in the
// script always shows up this way: rules call Mentions to skip, without
// parsing, the RUNs that cannot hold the commands they look for.
func Mentions(in *source.Instruction, words ...string) bool {
	if mentions(in.Args(), words) {
		return true
	}
	for _, h := range in.Heredocs {
		if mentions(h.Content, words) {
			return true
		}
	}
	return false
}

func mentions(text string, words []string) bool {
	for _, w := range words {
		if strings.Contains(text, w) {
			return true
		}
	}
	if !strings.ContainsAny(text, `'"\`) {
		return false
	}
	// The text without quotes and backslashes, byte for byte.
	bare := make([]byte, 0, len(text))
	for i := 0; i < len(text); i++ {
		if c := text[i]; c != '\'' && c != '"' && c != '\\' {
			bare = append(bare, c)
		}
	}
	for _, w := range words {
		if strings.Contains(string(bare), w) {
			return true
		}
	}
	return false
}
