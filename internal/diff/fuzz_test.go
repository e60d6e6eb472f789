package diff

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// hunkHeader matches "@@ -l[,c] +l[,c] @@".
var hunkHeader = regexp.MustCompile(`^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@$`)

// applyUnified applies a diff made by Unified to old, checking every
// context and removed line and every hunk count on the way: a small,
// strict stand-in for patch.
func applyUnified(old, patch []byte) ([]byte, error) {
	if len(patch) == 0 {
		return old, nil
	}
	pl := strings.SplitAfter(string(patch), "\n")
	if pl[len(pl)-1] != "" {
		return nil, fmt.Errorf("diff does not end in a newline")
	}
	pl = pl[:len(pl)-1]
	if len(pl) < 3 || !strings.HasPrefix(pl[0], "--- ") || !strings.HasPrefix(pl[1], "+++ ") {
		return nil, fmt.Errorf("missing file headers")
	}
	pl = pl[2:]
	ol := splitLines(string(old))
	var out strings.Builder
	pos := 0     // next old line to copy
	written := 0 // lines written to out
	for len(pl) > 0 {
		m := hunkHeader.FindStringSubmatch(strings.TrimSuffix(pl[0], "\n"))
		if m == nil {
			return nil, fmt.Errorf("bad hunk header %q", pl[0])
		}
		pl = pl[1:]
		oldStart, oldCount := rangeOf(m[1], m[2])
		newStart, newCount := rangeOf(m[3], m[4])
		if oldStart < pos || oldStart > len(ol) {
			return nil, fmt.Errorf("hunk at old line %d out of order or range", oldStart)
		}
		for ; pos < oldStart; pos++ {
			out.WriteString(ol[pos])
			written++
		}
		if written != newStart {
			return nil, fmt.Errorf("hunk starts after new line %d, want %d", newStart, written)
		}
		// Read the hunk body; "\ No newline" strips the line before it.
		type bodyLine struct {
			op   byte
			text string
		}
		var body []bodyLine
		for len(pl) > 0 && !strings.HasPrefix(pl[0], "@@") {
			l := pl[0]
			pl = pl[1:]
			switch l[0] {
			case ' ', '-', '+':
				body = append(body, bodyLine{l[0], l[1:]})
			case '\\':
				if l != noNewline || len(body) == 0 {
					return nil, fmt.Errorf("bad marker %q", l)
				}
				body[len(body)-1].text = strings.TrimSuffix(body[len(body)-1].text, "\n")
			default:
				return nil, fmt.Errorf("bad hunk line %q", l)
			}
		}
		oc, nc := 0, 0
		for _, b := range body {
			if b.op != '+' {
				if pos >= len(ol) || ol[pos] != b.text {
					return nil, fmt.Errorf("old line %d does not match %q", pos+1, b.text)
				}
				pos++
				oc++
			}
			if b.op != '-' {
				out.WriteString(b.text)
				written++
				nc++
			}
		}
		if oc != oldCount || nc != newCount {
			return nil, fmt.Errorf("hunk counts -%d +%d, body has -%d +%d", oldCount, newCount, oc, nc)
		}
	}
	for ; pos < len(ol); pos++ {
		out.WriteString(ol[pos])
	}
	return []byte(out.String()), nil
}

// rangeOf decodes one side of a hunk header into the number of lines
// before the hunk and the hunk's line count.
func rangeOf(start, count string) (before, n int) {
	s, _ := strconv.Atoi(start)
	if count == "" {
		return s - 1, 1
	}
	n, _ = strconv.Atoi(count)
	if n == 0 {
		return s, 0
	}
	return s - 1, n
}

func splitLines(s string) []string {
	ls := strings.SplitAfter(s, "\n")
	if ls[len(ls)-1] == "" {
		ls = ls[:len(ls)-1]
	}
	return ls
}

func TestApplyUnifiedCases(t *testing.T) {
	for _, c := range cases() {
		for _, context := range []int{0, 1, 3} {
			d := Unified("a/x", "b/x", []byte(c.old), []byte(c.new), context)
			got, err := applyUnified([]byte(c.old), d)
			if err != nil {
				t.Errorf("%s/U%d: %v", c.name, context, err)
				continue
			}
			if string(got) != c.new {
				t.Errorf("%s/U%d: applied diff does not give the new text", c.name, context)
			}
		}
	}
}

// FuzzUnified checks that the diff of any two texts, applied to the old
// one, gives the new one, and that only equal texts give an empty diff.
func FuzzUnified(f *testing.F) {
	for _, c := range cases() {
		if len(c.old) < 4096 {
			f.Add([]byte(c.old), []byte(c.new), uint8(3))
		}
	}
	f.Add([]byte("a\nb\na\nb\n"), []byte("b\na\n"), uint8(0))
	f.Add([]byte("\n\n\n"), []byte("\r\n\n"), uint8(1))
	f.Fuzz(func(t *testing.T, old, new []byte, context uint8) {
		if len(old) > 4096 || len(new) > 4096 {
			t.Skip()
		}
		ctx := int(context % 6)
		d := Unified("a/x", "b/x", old, new, ctx)
		if (len(d) == 0) != bytes.Equal(old, new) {
			t.Fatalf("empty diff = %v, equal inputs = %v", len(d) == 0, bytes.Equal(old, new))
		}
		got, err := applyUnified(old, d)
		if err != nil {
			t.Fatalf("applying diff: %v\n%s", err, d)
		}
		if !bytes.Equal(got, new) {
			t.Fatalf("applied diff gives %q, want %q\n%s", got, new, d)
		}
		var colored bytes.Buffer
		if err := Write(&colored, "a/x", "b/x", old, new, Options{Context: ctx, Color: true}); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ansi.ReplaceAll(colored.Bytes(), nil), d) && !bytes.Contains(old, []byte("\x1b")) && !bytes.Contains(new, []byte("\x1b")) {
			t.Fatalf("coloured diff without escapes differs from the plain one")
		}
	})
}
