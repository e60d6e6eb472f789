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
			// A word without quotes found in the text is found in the
			// text without quotes too: one search is enough.
			if t.bare == "" || strings.ContainsAny(w, quotes) {
				if strings.Contains(t.text, w) {
					return true
				}
			}
			if t.bare != "" && strings.Contains(t.bare, w) {
				return true
			}
		}
	}
	return false
}

// quotes are the bytes Mentions also looks through.
const quotes = `'"\`

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
			out = append(out, commandText{h.Content, heredocBare(h.Content)})
		}
		return out
	}).([]commandText)
}

// heredocBare is a heredoc script's text as the shell reads its words:
// lines joined where they end in a backslash (buildkit has joined those of
// the arguments already), quotes and backslashes taken out. "" when that
// is the text itself.
func heredocBare(text string) string {
	if !strings.Contains(text, "\\\n") && !strings.Contains(text, "\\\r\n") {
		return unquoted(text)
	}
	joined := strings.NewReplacer("\\\r\n", "", "\\\n", "").Replace(text)
	if bare := unquoted(joined); bare != "" {
		return bare
	}
	return joined
}

// unquoted returns text without its quotes and backslashes, or "" when it
// has none.
func unquoted(text string) string {
	// The next position of each quote byte, found with IndexByte (much
	// faster than testing byte after byte); len(text) when there is none.
	var next [len(quotes)]int
	find := func(k, from int) {
		next[k] = len(text)
		if i := strings.IndexByte(text[from:], quotes[k]); i >= 0 {
			next[k] = from + i
		}
	}
	for k := range next {
		find(k, 0)
	}
	first := func() int { return min(next[0], next[1], next[2]) }
	i := first()
	if i == len(text) {
		return ""
	}
	var b strings.Builder
	b.Grow(len(text))
	from := 0
	for i < len(text) {
		b.WriteString(text[from:i])
		from = i + 1
		for k := range next {
			if next[k] == i {
				find(k, from)
			}
		}
		i = first()
	}
	b.WriteString(text[from:])
	return b.String()
}

// MayRun reports whether the shell program of a RUN may run a command
// whose name (the last element of its path, as Command.Name returns it)
// match accepts, without parsing the program: it asks match about each
// run of letters, digits and "_.+-" in the command text and in the text
// without quotes (Mentions' texts). A command named by a literal word
// stands between separators (white space, ;&|()<>, a quote) and after
// any '/', so its name is one such run. A RUN with a heredoc counts as
// running anything (a line continuation may split a name in its body),
// and so does a RUN in exec form, whose text is JSON.
func MayRun(in *source.Instruction, match func(name string) bool) bool {
	if len(in.Heredocs) > 0 || in.JSON {
		return true
	}
	for _, t := range commandTexts(in) {
		if nameRuns(t.text, match) || t.bare != "" && nameRuns(t.bare, match) {
			return true
		}
	}
	return false
}

// nameRuns reports whether match accepts a run of nameByte bytes of text.
func nameRuns(text string, match func(string) bool) bool {
	for i := 0; i < len(text); {
		if !nameByte(text[i]) {
			i++
			continue
		}
		j := i + 1
		for j < len(text) && nameByte(text[j]) {
			j++
		}
		if match(text[i:j]) {
			return true
		}
		i = j
	}
	return false
}

// nameByte reports the bytes command names are made of, here: ASCII
// letters and digits, and _ . + -.
func nameByte(b byte) bool {
	return 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || b == '_' || b == '.' || b == '+' || b == '-'
}
