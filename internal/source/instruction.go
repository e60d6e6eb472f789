package source

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"unicode"

	"github.com/moby/buildkit/frontend/dockerfile/parser"

	"github.com/dockmend/dockmend/internal/buildkitparser"
)

// Instruction is one Dockerfile instruction with byte-accurate positions.
//
// Positions come in two kinds. Logical indexes point into Logical, the
// instruction as buildkit sees it (continuations joined, comment and empty
// lines inside them dropped). Byte offsets point into File.Data. Offset and
// Range convert the first into the second.
type Instruction struct {
	// File is the file the instruction belongs to.
	File *File
	// Node is buildkit's node for the instruction.
	Node *parser.Node
	// Keyword is the instruction keyword in upper case ("RUN").
	Keyword string
	// StartLine and EndLine are the 1-based physical lines the instruction
	// covers, heredoc bodies included. An ONBUILD trigger has its parent's.
	StartLine, EndLine int
	// Start is the offset of the keyword's first byte; End is the offset
	// just after the instruction's last byte, before the final line ending.
	Start, End int
	// Logical is the instruction text as buildkit sees it.
	Logical string
	// MapErr is non-nil when the byte map could not be verified against
	// buildkit's Original; such an instruction must not be edited.
	MapErr error
	// Flags are the --flags between the keyword and the arguments.
	Flags []Flag
	// ArgsStart and ArgsEnd delimit the arguments in Logical (trailing
	// white space excluded), after the keyword and the flags.
	ArgsStart, ArgsEnd int
	// JSON reports the exec (JSON array) form.
	JSON bool
	// Heredocs are the here-documents, with their bodies' byte ranges.
	Heredocs []*Heredoc
	// Trigger is the instruction an ONBUILD carries; Parent points back.
	Trigger, Parent *Instruction
	// Stage is the stage the instruction belongs to; nil before the first
	// FROM.
	Stage *Stage

	off      offsets  // off.at(i) is the byte offset of Logical[i]
	bodyLine int      // first physical line after the logical line
	shell    []string // the SHELL in effect, set by buildStages; nil for the default

	scriptOnce sync.Once // Script parses the shell program once
	script     *Script
	scriptErr  error

	memo memo // see Memo
}

// Flag is one --name=value flag of an instruction.
type Flag struct {
	// Name is the flag name without dashes, lower case.
	Name string
	// Value is the text after '=', unquoted as buildkit does; "" when the
	// flag has no value.
	Value string
	// Start and End delimit the whole flag in Logical; ValueStart marks
	// where its value begins (End when there is none).
	Start, ValueStart, End int
}

// Heredoc is a here-document body.
type Heredoc struct {
	parser.Heredoc
	// Start and End delimit the body in the file (terminator line
	// excluded). Valid only when MapErr is nil.
	Start, End int
	// MapErr is non-nil when the body could not be located in the source.
	MapErr error
}

// Field is a white-space separated argument word.
type Field struct {
	Text       string
	Start, End int // logical indexes
}

// Offset converts a logical index into a byte offset in the file. The index
// len(Logical) maps just past the last byte.
func (in *Instruction) Offset(i int) int {
	if i >= in.off.len() {
		if in.off.len() == 0 {
			return in.End
		}
		return in.off.at(in.off.len()-1) + 1
	}
	return in.off.at(i)
}

// Range converts the logical range [i, j) into a byte range. ok is false
// when the range is not contiguous in the file (a continuation, comment or
// empty line falls inside it) and so cannot be replaced as one piece.
// Insertions (i == j) are always contiguous.
func (in *Instruction) Range(i, j int) (start, end int, ok bool) {
	if in.MapErr != nil || i < 0 || j > len(in.Logical) || i > j {
		return 0, 0, false
	}
	if i == j {
		p := in.Offset(i)
		return p, p, true
	}
	start, end = in.off.at(i), in.off.at(j-1)+1
	return start, end, end-start == j-i
}

// InsertAt returns the byte offset at which text inserted just after the
// logical index j-1 lands: before any line continuation or line ending that
// follows it.
func (in *Instruction) InsertAt(j int) int {
	if j <= 0 {
		return in.Offset(0)
	}
	return in.off.at(j-1) + 1
}

// Memo returns the value stored under key for this instruction, calling f
// to compute it the first time, so that what several rules derive from an
// instruction's text is derived once. It works as Script.Memo does: use an
// unexported key type of the deriving package; the value is shared and
// must not be modified.
func (in *Instruction) Memo(key any, f func() any) any { return in.memo.get(key, f) }

// Args returns the arguments' text.
func (in *Instruction) Args() string { return in.Logical[in.ArgsStart:in.ArgsEnd] }

// Fields splits the arguments on white space like buildkit does for FROM,
// COPY and most other instructions (quotes are not interpreted).
func (in *Instruction) Fields() []Field {
	var fields []Field
	s := in.Logical
	for i := in.ArgsStart; i < in.ArgsEnd; {
		for i < in.ArgsEnd && isSpaceByte(s[i]) {
			i++
		}
		j := i
		for j < in.ArgsEnd && !isSpaceByte(s[j]) {
			j++
		}
		if j > i {
			fields = append(fields, Field{Text: s[i:j], Start: i, End: j})
		}
		i = j
	}
	return fields
}

// Flag returns the first flag with the given name, or nil.
func (in *Instruction) Flag(name string) *Flag {
	for i := range in.Flags {
		if in.Flags[i].Name == name {
			return &in.Flags[i]
		}
	}
	return nil
}

// Is reports whether the instruction's keyword is kw (any case).
func (in *Instruction) Is(kw string) bool { return strings.EqualFold(in.Keyword, kw) }

// Line returns the instruction's first physical line.
func (in *Instruction) Line() int { return in.StartLine }

func isSpaceByte(b byte) bool {
	return b == ' ' || b == '\t' || b == '\v' || b == '\f' || b == '\r'
}

// newInstruction builds an Instruction for a top-level node (parent nil)
// or an ONBUILD trigger.
func (f *File) newInstruction(n *parser.Node, parent *Instruction) *Instruction {
	in := &Instruction{
		File:      f,
		Node:      n,
		Keyword:   strings.ToUpper(n.Value),
		StartLine: n.StartLine,
		EndLine:   n.EndLine,
		JSON:      n.Attributes["json"],
		Parent:    parent,
	}
	if parent != nil {
		in.StartLine, in.EndLine = parent.StartLine, parent.EndLine
		in.Start, in.End = parent.Start, parent.End
		in.Logical = n.Original
		if parent.MapErr != nil {
			in.MapErr = parent.MapErr
		} else if parent.Args() != n.Original {
			in.MapErr = fmt.Errorf("ONBUILD trigger text %q does not match the source", n.Original)
		} else {
			in.off = parent.off.slice(parent.ArgsStart, parent.ArgsEnd)
		}
	} else {
		in.mapLines()
	}
	in.parseFlags()
	if in.MapErr == nil {
		in.mapHeredocs()
	}
	if in.Keyword == "ONBUILD" && n.Next != nil && len(n.Next.Children) == 1 {
		in.Trigger = f.newInstruction(n.Next.Children[0], in)
	}
	return in
}

// mapLines replays buildkit's line processing over the instruction's
// physical lines, recording the source offset of every byte it keeps, and
// checks the result against the node's Original.
func (in *Instruction) mapLines() {
	f := in.File
	_, le := f.Line(in.EndLine)
	// The kept bytes are compared with Original as they come, rather than
	// gathered: Logical is Original (the same text, not a copy).
	orig := in.Node.Original
	n, same := 0, true // bytes kept so far; whether they match orig
	// One run per physical line at most: room for them all at once.
	off := offsets{runs: make([]run, 0, max(in.EndLine-in.StartLine+1, 1))}
	first := true
	lastLine := in.StartLine
	for line := in.StartLine; line <= in.EndLine; line++ {
		ls, le := f.Line(line)
		raw := f.Data[ls:le]
		base := ls
		if line == 1 && bytes.HasPrefix(raw, utf8BOM) {
			raw, base = raw[len(utf8BOM):], base+len(utf8BOM)
		}
		body := bytes.TrimRight(raw, "\r\n")
		if first {
			t := bytes.TrimLeftFunc(body, unicode.IsSpace)
			base += len(body) - len(t)
			body = t
			in.Start = base
		} else if isCommentLine(raw) || len(bytes.TrimLeftFunc(body, unicode.IsSpace)) == 0 {
			continue
		}
		first = false
		lastLine = line
		kept, cont := buildkitparser.TrimContinuation(body, f.Escape)
		keep := len(kept)
		if same && (n+keep > len(orig) || string(body[:keep]) != orig[n:n+keep]) {
			same = false
		}
		n += keep
		off.add(base, keep)
		if !cont {
			break
		}
	}
	// A line holding only the escape token may precede the keyword: Start
	// is the keyword's first byte all the same.
	if off.len() > 0 {
		in.Start = off.at(0)
	}
	// End: the end of the last physical line, line ending excluded. For
	// heredocs that is the terminator line.
	end := le
	for end > in.Start && (f.Data[end-1] == '\n' || f.Data[end-1] == '\r') {
		end--
	}
	in.End = end
	in.Logical = orig
	in.off = off
	if !same || n != len(orig) {
		in.MapErr = fmt.Errorf("line %d: source map does not reproduce buildkit's text", in.StartLine)
		in.off = offsets{}
	}
	in.bodyLine = lastLine + 1
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

func isCommentLine(raw []byte) bool {
	t := bytes.TrimLeftFunc(raw, unicode.IsSpace)
	return len(t) > 0 && t[0] == '#'
}

// parseFlags finds the keyword, the flags and the arguments in Logical the
// way buildkit's splitCommand and extractBuilderFlags do.
func (in *Instruction) parseFlags() {
	s := in.Logical
	i := 0
	for i < len(s) && unicode.IsSpace(rune(s[i])) {
		i++
	}
	for i < len(s) && !isSpaceByte(s[i]) {
		i++
	}
	end := len(strings.TrimRightFunc(s, unicode.IsSpace))
	if end < i {
		end = i
	}
	for {
		for i < end && unicode.IsSpace(rune(s[i])) {
			i++
		}
		if i+1 >= end || s[i] != '-' || s[i+1] != '-' {
			break
		}
		start := i
		var word strings.Builder
		var quote byte
		esc := byte(in.File.Escape)
		for i < end {
			c := s[i]
			if quote == 0 && unicode.IsSpace(rune(c)) {
				break
			}
			switch {
			case quote != 0 && c == quote:
				quote = 0
			case quote == 0 && (c == '\'' || c == '"'):
				quote = c
			case c == esc:
				// The escape token takes the next byte literally, inside
				// quotes or not, as in buildkit's extractBuilderFlags.
				if i+1 < end {
					i++
					word.WriteByte(s[i])
				} else {
					quote = 0
				}
			default:
				word.WriteByte(c)
			}
			i++
		}
		w := word.String()
		if w == "--" {
			// buildkit trims the white space after "--" from the arguments.
			for i < end && unicode.IsSpace(rune(s[i])) {
				i++
			}
			break
		}
		name, value, _ := strings.Cut(strings.TrimPrefix(w, "--"), "=")
		vs := strings.IndexByte(s[start:i], '=')
		if vs < 0 {
			vs = i
		} else {
			vs += start + 1
		}
		in.Flags = append(in.Flags, Flag{Name: strings.ToLower(name), Value: value, Start: start, ValueStart: vs, End: i})
	}
	in.ArgsStart, in.ArgsEnd = i, end
	if in.ArgsStart > in.ArgsEnd {
		in.ArgsStart = in.ArgsEnd
	}
	if in.MapErr == nil && len(in.Flags) != len(in.Node.Flags) {
		in.MapErr = fmt.Errorf("line %d: flags do not match buildkit's", in.StartLine)
	}
}

// mapHeredocs locates each heredoc body in the source: bodies follow the
// instruction's logical line, each ended by its terminator line.
func (in *Instruction) mapHeredocs() {
	if len(in.Node.Heredocs) == 0 {
		return
	}
	f := in.File
	line := in.bodyLine
	for _, h := range in.Node.Heredocs {
		hd := &Heredoc{Heredoc: h}
		in.Heredocs = append(in.Heredocs, hd)
		start, _ := f.Line(line)
		end := start + len(h.Content)
		if in.Parent != nil || end > len(f.Data) || string(f.Data[start:end]) != h.Content {
			hd.MapErr = fmt.Errorf("line %d: heredoc %s body not found in the source", in.StartLine, h.Name)
			return
		}
		hd.Start, hd.End = start, end
		// Skip the body and the terminator line.
		line += strings.Count(h.Content, "\n") + 1
	}
}
