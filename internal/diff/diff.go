// Package diff renders line diffs between two versions of a file in the
// unified format of GNU "diff -u", optionally coloured for a terminal.
//
// Lines are compared with the Myers algorithm of github.com/sergi/go-diff,
// which gives the minimal diff GNU diff prints; this package adds the hunk
// renderer that go-diff lacks. Myers takes time proportional to the size
// of the changed region times the number of changed lines, so a changed
// region of more than 2,000 lines (none in the shared corpus) is first
// split at the lines that occur once on each side, as patience diff does,
// and compared piece by piece: the time stays linear in the number of
// lines, up to a logarithmic factor, and the diff is still valid, if not
// always minimal. The output is accepted by "patch -p1" and "git apply"
// when the labels are "a/path" and "b/path", whatever bytes the path
// holds: labels are written as git writes paths (see QuotePath).
package diff

import (
	"bytes"
	"fmt"
	"io"
	"strings"
)

// DefaultContext is the number of context lines GNU diff -u prints.
const DefaultContext = 3

// Options control Write.
type Options struct {
	// Context is the number of unchanged lines shown around each change.
	// It is used as given (0 means no context); a negative value counts as 0.
	// Most callers want DefaultContext.
	Context int
	// Color adds ANSI escape sequences for a terminal: bold file headers,
	// cyan hunk headers, red removed and green added lines, and reverse
	// video on the changed characters of a removed/added line pair.
	Color bool
}

// Unified returns the unified diff that turns old into new, with at most
// context unchanged lines around each change (hunks closer than 2*context
// lines are merged), headed by "--- oldLabel" and "+++ newLabel" with no
// timestamps. The result is byte-for-byte what GNU "diff -u" prints with
// the same labels, except that a label that holds a space, a quote, a
// backslash, a control character or a byte outside ASCII is written as git
// writes it in a patch: followed by a tab, or quoted (see QuotePath). It
// is empty when old and new are equal.
func Unified(oldLabel, newLabel string, old, new []byte, context int) []byte {
	var buf bytes.Buffer
	render(&buf, oldLabel, newLabel, old, new, Options{Context: context})
	return buf.Bytes()
}

// Write writes the unified diff that turns old into new to w, as Unified
// does, coloured if opts.Color is set. Without colour the bytes written
// are exactly Unified's; with colour, removing the ANSI escape sequences
// gives Unified's bytes back. Nothing is written when old and new are equal.
func Write(w io.Writer, oldLabel, newLabel string, old, new []byte, opts Options) error {
	var buf bytes.Buffer
	render(&buf, oldLabel, newLabel, old, new, opts)
	if buf.Len() == 0 {
		return nil
	}
	if _, err := w.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("writing diff of %s: %w", newLabel, err)
	}
	return nil
}

// A line is one line of the edit script: op is ' ' (kept), '-' (removed)
// or '+' (added); text holds the line with its "\n", which only the last
// line of a file may lack.
type line struct {
	op   byte
	text string
}

// script returns the line edit script from old to new. Within every run of
// changed lines the removals come before the additions, as in GNU diff.
// It takes time linear in the number of lines, up to a logarithmic factor,
// however many lines change (see matchLines).
func script(old, new []byte) []line {
	// Mark the changed lines of each side, then slide the changes as
	// GNU diff does before grouping them.
	ol, nl := splitText(string(old)), splitText(string(new))
	co, cn := matchLines(ol, nl)
	x := side{lines: ol, changed: co}
	y := side{lines: nl, changed: cn}
	x.slide(&y)
	y.slide(&x)

	out := make([]line, 0, max(len(x.lines), len(y.lines)))
	for i, j := 0, 0; i < len(x.lines) || j < len(y.lines); {
		for ; i < len(x.lines) && x.changed[i]; i++ {
			out = append(out, line{'-', x.lines[i]})
		}
		for ; j < len(y.lines) && y.changed[j]; j++ {
			out = append(out, line{'+', y.lines[j]})
		}
		if i < len(x.lines) && j < len(y.lines) {
			out = append(out, line{' ', x.lines[i]})
			i++
			j++
		}
	}
	return out
}

// A side is one file of a comparison: its lines, and which of them the
// edit script removes (for the old file) or adds (for the new one).
// Unchanged lines pair up in order: the k-th unchanged line of one side
// equals the k-th unchanged line of the other.
type side struct {
	lines   []string
	changed []bool
}

// slide moves each run of changed lines of s, without changing what the
// diff does, to where GNU diff puts it: first up as far as equal lines
// allow, merging with the runs it meets, then down as far as possible,
// and finally back up to the lowest place where it meets a change in the
// other side, so that removals and additions stay together.
//
// Moving the run [start, end) down by one is possible when
// lines[start] == lines[end]: the unchanged line after the run takes the
// place of the first changed line, and pairs with the same line of the
// other side as before.
func (s *side) slide(other *side) {
	// gap[k] reports whether other has changed lines just before its k-th
	// unchanged line (k == number of unchanged lines: at the end).
	var gap []bool
	pending := false
	for _, c := range other.changed {
		if c {
			pending = true
		} else {
			gap = append(gap, pending)
			pending = false
		}
	}
	gap = append(gap, pending)

	n := len(s.lines)
	k := 0 // unchanged lines of s before i
	for i := 0; i < n; {
		if !s.changed[i] {
			k++
			i++
			continue
		}
		start, end := i, i
		for end < n && s.changed[end] {
			end++
		}
		corresponding := -1
		for {
			length := end - start
			// Up, merging with the runs met on the way.
			for start > 0 && s.lines[start-1] == s.lines[end-1] {
				start--
				end--
				s.changed[start], s.changed[end] = true, false
				k--
				for start > 0 && s.changed[start-1] {
					start--
				}
			}
			corresponding = -1
			if gap[k] {
				corresponding = end
			}
			// Down, merging likewise.
			for end < n && s.lines[start] == s.lines[end] {
				s.changed[start], s.changed[end] = false, true
				start++
				end++
				k++
				for end < n && s.changed[end] {
					end++
				}
				if gap[k] {
					corresponding = end
				}
			}
			if end-start == length {
				break
			}
		}
		// Back up to the last place next to a change of the other side.
		for corresponding >= 0 && end > corresponding {
			start--
			end--
			s.changed[start], s.changed[end] = true, false
			k--
		}
		i = end
	}
}

// A hunk is a window [start, end) of an edit script, with the 0-based
// numbers of the lines before it in the old and new file.
type hunk struct {
	start, end       int
	oldLine, newLine int
}

// hunks groups the changes of s into hunks with context lines around them.
func hunks(s []line, context int) []hunk {
	var hs []hunk
	pos := 0                 // s[:pos] is counted in oldLine and newLine:
	oldLine, newLine := 0, 0 // its lines in old and in new
	advance := func(to int) {
		for ; pos < to; pos++ {
			if s[pos].op != '+' {
				oldLine++
			}
			if s[pos].op != '-' {
				newLine++
			}
		}
	}
	for i := 0; i < len(s); {
		if s[i].op == ' ' {
			i++
			continue
		}
		// s[i] starts a change; extend the hunk while the next change is
		// at most 2*context equal lines away.
		start := max(i-context, 0)
		end := i
		for end < len(s) {
			for end < len(s) && s[end].op != ' ' {
				end++
			}
			next := end
			for next < len(s) && s[next].op == ' ' {
				next++
			}
			if next == len(s) || next-end > 2*context {
				break
			}
			end = next
		}
		i = end
		end = min(end+context, len(s))
		advance(start)
		hs = append(hs, hunk{start: start, end: end, oldLine: oldLine, newLine: newLine})
	}
	return hs
}

// ANSI escape sequences used when colouring.
const (
	bold       = "\x1b[1m"
	red        = "\x1b[31m"
	green      = "\x1b[32m"
	cyan       = "\x1b[36m"
	reverse    = "\x1b[7m"
	reverseOff = "\x1b[27m"
	reset      = "\x1b[0m"
)

const noNewline = "\\ No newline at end of file\n"

// render appends the diff of old and new to buf.
func render(buf *bytes.Buffer, oldLabel, newLabel string, old, new []byte, opts Options) {
	if bytes.Equal(old, new) {
		return
	}
	s := script(old, new)
	context := max(opts.Context, 0)
	budget := highlightBudget
	header(buf, opts.Color, "--- "+headerName(oldLabel))
	header(buf, opts.Color, "+++ "+headerName(newLabel))
	for _, h := range hunks(s, context) {
		oldCount, newCount := 0, 0
		for _, l := range s[h.start:h.end] {
			if l.op != '+' {
				oldCount++
			}
			if l.op != '-' {
				newCount++
			}
		}
		hdr := fmt.Sprintf("@@ -%s +%s @@", lineRange(h.oldLine, oldCount), lineRange(h.newLine, newCount))
		if opts.Color {
			buf.WriteString(cyan + hdr + reset + "\n")
			colorLines(buf, s[h.start:h.end], &budget)
			continue
		}
		buf.WriteString(hdr + "\n")
		for _, l := range s[h.start:h.end] {
			buf.WriteByte(l.op)
			buf.WriteString(l.text)
			if !strings.HasSuffix(l.text, "\n") {
				buf.WriteString("\n" + noNewline)
			}
		}
	}
}

func header(buf *bytes.Buffer, color bool, text string) {
	if color {
		text = bold + text + reset
	}
	buf.WriteString(text + "\n")
}

// lineRange formats a hunk range as GNU diff does: before is the number of
// lines preceding the hunk. A one-line range is just its line number; an
// empty range names the line before it, followed by ",0".
func lineRange(before, count int) string {
	switch count {
	case 0:
		return fmt.Sprintf("%d,0", before)
	case 1:
		return fmt.Sprintf("%d", before+1)
	default:
		return fmt.Sprintf("%d,%d", before+1, count)
	}
}
