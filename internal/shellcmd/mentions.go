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
//
// The texts without quotes are made once per instruction (see
// source.Instruction.Memo): every rule asks about every RUN.
func Mentions(in *source.Instruction, words ...string) bool {
	for _, t := range commandTexts(in) {
		for _, w := range words {
			if strings.Contains(t.text, w) || t.bare != "" && strings.Contains(t.bare, w) {
				return true
			}
		}
	}
	return false
}

// commandText is a piece of a RUN's command text (its arguments, or a
// heredoc body) and, when it has quotes or backslashes, the same text
// without them, byte for byte; bare is "" otherwise.
type commandText struct{ text, bare string }

// textsKey is the source.Instruction.Memo key of commandTexts.
type textsKey struct{}

// commandTexts returns the pieces of in's command text.
func commandTexts(in *source.Instruction) []commandText {
	return in.Memo(textsKey{}, func() any {
		out := make([]commandText, 0, 1+len(in.Heredocs))
		out = append(out, commandText{in.Args(), unquoted(in.Args())})
		for _, h := range in.Heredocs {
			out = append(out, commandText{h.Content, unquoted(h.Content)})
		}
		return out
	}).([]commandText)
}

// unquoted returns text without its quotes and backslashes, or "" when it
// has none.
func unquoted(text string) string {
	if !strings.ContainsAny(text, `'"\`) {
		return ""
	}
	var b strings.Builder
	b.Grow(len(text))
	for {
		i := strings.IndexAny(text, `'"\`)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		b.WriteString(text[:i])
		text = text[i+1:]
	}
}
