package diff

import (
	"bytes"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/sergi/go-diff/diffmatchpatch"
)

// maxHighlight bounds the combined length of a line pair that gets
// character-level highlighting, to keep the quadratic worst case of the
// character diff away from very long lines.
const maxHighlight = 8 << 10

// highlightBudget bounds the work of character-level highlighting in one
// diff, counted as the sum of the squared lengths of the line pairs
// compared (the character diff's worst case), so that a file with very
// many long changed lines is still shown in time linear in its size:
// pairs beyond the budget are coloured whole. It covers some 25,000 pairs
// of 100-byte lines.
const highlightBudget = 1 << 28

// colorLines appends the body of one hunk in colour. A run of removed
// lines followed by as many added lines is taken as a line-by-line
// rewrite: each pair is compared by character and the changed parts are
// shown in reverse video, while *budget (see highlightBudget) lasts.
func colorLines(buf *bytes.Buffer, ls []line, budget *int) {
	for i := 0; i < len(ls); {
		if ls[i].op == ' ' {
			colorLine(buf, ls[i], nil)
			i++
			continue
		}
		del := i
		for i < len(ls) && ls[i].op == '-' {
			i++
		}
		add := i
		for i < len(ls) && ls[i].op == '+' {
			i++
		}
		removed, added := ls[del:add], ls[add:i]
		if len(removed) != len(added) {
			for _, l := range ls[del:i] {
				colorLine(buf, l, nil)
			}
			continue
		}
		oldParts := make([][]diffmatchpatch.Diff, len(removed))
		newParts := make([][]diffmatchpatch.Diff, len(added))
		for j := range removed {
			n := len(removed[j].text) + len(added[j].text)
			if n*n > *budget {
				continue
			}
			*budget -= n * n
			oldParts[j], newParts[j] = wordDiff(removed[j].text, added[j].text)
		}
		for j, l := range removed {
			colorLine(buf, l, oldParts[j])
		}
		for j, l := range added {
			colorLine(buf, l, newParts[j])
		}
	}
}

// colorLine appends one line, coloured by its op. When parts is not nil it
// spells the line's content, and its non-equal parts are highlighted.
// The line terminator ("\n" or "\r\n") is written after the reset.
func colorLine(buf *bytes.Buffer, l line, parts []diffmatchpatch.Diff) {
	body, eol := splitEOL(l.text)
	switch l.op {
	case '-':
		buf.WriteString(red)
	case '+':
		buf.WriteString(green)
	}
	buf.WriteByte(l.op)
	if parts == nil {
		buf.WriteString(body)
	} else {
		for _, p := range parts {
			if p.Type == diffmatchpatch.DiffEqual {
				buf.WriteString(p.Text)
			} else {
				buf.WriteString(reverse + p.Text + reverseOff)
			}
		}
	}
	if l.op != ' ' {
		buf.WriteString(reset)
	}
	if eol == "" {
		buf.WriteString("\n" + noNewline)
	} else {
		buf.WriteString(eol)
	}
}

// wordDiff compares the contents of a removed and an added line and
// returns the parts spelling each, or nils when highlighting would not
// help: the lines are too long, not UTF-8 (the character diff works on
// runes), or share nothing but white space.
func wordDiff(oldText, newText string) (oldParts, newParts []diffmatchpatch.Diff) {
	a, _ := splitEOL(oldText)
	b, _ := splitEOL(newText)
	if len(a)+len(b) > maxHighlight || !utf8.ValidString(a) || !utf8.ValidString(b) {
		return nil, nil
	}
	dmp := diffmatchpatch.New()
	dmp.DiffTimeout = 0
	diffs := dmp.DiffCleanupSemantic(dmp.DiffMain(a, b, false))
	shared := false
	for _, d := range diffs {
		switch d.Type {
		case diffmatchpatch.DiffEqual:
			shared = shared || strings.IndexFunc(d.Text, func(r rune) bool { return !unicode.IsSpace(r) }) >= 0
			oldParts = append(oldParts, d)
			newParts = append(newParts, d)
		case diffmatchpatch.DiffDelete:
			oldParts = append(oldParts, d)
		case diffmatchpatch.DiffInsert:
			newParts = append(newParts, d)
		}
	}
	if !shared {
		return nil, nil
	}
	return oldParts, newParts
}

// splitEOL splits a line into its content and its terminator, "\r\n",
// "\n" or "" (the last line of a file without a final newline).
func splitEOL(s string) (body, eol string) {
	switch {
	case strings.HasSuffix(s, "\r\n"):
		return s[:len(s)-2], "\r\n"
	case strings.HasSuffix(s, "\n"):
		return s[:len(s)-1], "\n"
	}
	return s, ""
}
