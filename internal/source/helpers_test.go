package source

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

func isNotShell(err error) bool { return errors.Is(err, ErrNotShell) }

// mustParse parses src or fails the test.
func mustParse(t testing.TB, src string) *File {
	t.Helper()
	f, err := Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatalf("Parse: %v", err)
	}
	return f
}

// walked lists f's instructions in Walk order, ONBUILD triggers
// included.
func walked(f *File) []*Instruction {
	var out []*Instruction
	f.Walk(func(in *Instruction) { out = append(out, in) })
	return out
}

// mapErrors checks the byte map of every instruction of f and returns what
// is wrong with it. An instruction whose map is not verified (MapErr set) is
// reported too: every fixture and every corpus file buildkit parses must map.
//
// The properties:
//   - every logical byte i satisfies Data[Offset(i)] == Logical[i], and the
//     offsets strictly increase;
//   - the keyword starts at Start (a trigger: at its parent's arguments);
//   - Range(i, j) reports ok exactly when the bytes are contiguous, and then
//     the file bytes equal the logical text;
//   - the flags agree with buildkit's Node.Flags and every field and flag
//     value that is contiguous maps to its own text;
//   - heredoc bodies are the file's bytes.
func mapErrors(f *File) []string {
	var errs []string
	report := func(in *Instruction, format string, args ...any) {
		errs = append(errs, fmt.Sprintf("line %d %s: %s", in.StartLine, in.Keyword, fmt.Sprintf(format, args...)))
	}
	f.Walk(func(in *Instruction) {
		if in.MapErr != nil {
			report(in, "map not verified: %v", in.MapErr)
			return
		}
		prev := -1
		for i := 0; i < len(in.Logical); i++ {
			o := in.Offset(i)
			if o <= prev || o >= len(f.Data) {
				report(in, "Offset(%d) = %d after %d (file has %d bytes)", i, o, prev, len(f.Data))
				return
			}
			if f.Data[o] != in.Logical[i] {
				report(in, "Data[Offset(%d)=%d] = %q, Logical[%d] = %q", i, o, f.Data[o], i, in.Logical[i])
				return
			}
			prev = o
		}
		start := in.Start
		if in.Parent != nil {
			start = in.Parent.Offset(in.Parent.ArgsStart)
		}
		if len(in.Logical) > 0 && in.Offset(0) != start {
			report(in, "Offset(0) = %d, want %d", in.Offset(0), start)
		}
		if in.Parent == nil && (in.End < in.Start || in.End > len(f.Data) || in.End < in.Offset(len(in.Logical))) {
			report(in, "End = %d outside [%d, %d]", in.End, in.Offset(len(in.Logical)), len(f.Data))
		}
		checkRange := func(what string, i, j int) {
			s, e, ok := in.Range(i, j)
			gap := false
			for k := i + 1; k < j; k++ {
				if in.Offset(k) != in.Offset(k-1)+1 {
					gap = true
				}
			}
			switch {
			case ok == gap:
				report(in, "%s %q: Range ok = %v with gap = %v", what, in.Logical[i:j], ok, gap)
			case ok && string(f.Data[s:e]) != in.Logical[i:j]:
				report(in, "%s %q: file bytes [%d,%d) are %q", what, in.Logical[i:j], s, e, f.Data[s:e])
			}
		}
		if len(in.Flags) != len(in.Node.Flags) {
			report(in, "%d flags, buildkit has %d", len(in.Flags), len(in.Node.Flags))
		}
		for k, fl := range in.Flags {
			if k < len(in.Node.Flags) {
				want := in.Node.Flags[k]
				name, value, hasValue := strings.Cut(want, "=")
				if fl.Name != strings.ToLower(strings.TrimPrefix(name, "--")) || fl.Value != value ||
					hasValue != strings.Contains(in.Logical[fl.Start:fl.End], "=") {
					report(in, "flag %d is %+v, buildkit has %q", k, fl, want)
				}
			}
			checkRange("flag", fl.Start, fl.End)
		}
		for _, fd := range in.Fields() {
			checkRange("field", fd.Start, fd.End)
		}
		for _, h := range in.Heredocs {
			if h.MapErr != nil {
				if in.Parent == nil {
					report(in, "heredoc %s: %v", h.Name, h.MapErr)
				}
				continue
			}
			if got := string(f.Data[h.Start:h.End]); got != h.Content {
				report(in, "heredoc %s: file bytes %q, content %q", h.Name, got, h.Content)
			}
		}
	})
	return errs
}

// scriptWord is one word of a RUN program and where Script maps it.
type scriptWord struct {
	Text       string // the word's text in the program
	Start, End int    // byte range in the file
	OK         bool   // Range reported the word contiguous
}

// scriptWords returns every word of every simple command in every shell
// RUN of f, with its mapped range, and the problems found in the mapping:
// a word whose Range is contiguous must cover file bytes equal to the
// word's text, Offset and EndOffset must agree with Range, and a word
// reported non-contiguous must really have a gap.
func scriptWords(f *File) (words []scriptWord, errs []string) {
	f.Walk(func(in *Instruction) {
		s, err := in.Script()
		if err != nil {
			return
		}
		syntax.Walk(s.File, func(n syntax.Node) bool {
			call, ok := n.(*syntax.CallExpr)
			if !ok {
				return true
			}
			for _, w := range call.Args {
				a, b := int(w.Pos().Offset()), int(w.End().Offset())
				text := s.Text[a:b]
				start, end, ok := s.Range(w)
				words = append(words, scriptWord{Text: text, Start: start, End: end, OK: ok})
				where := fmt.Sprintf("line %d word %q", in.StartLine, text)
				if !ok {
					if s.Heredoc != nil {
						errs = append(errs, where+": heredoc word not contiguous")
					} else if _, _, whole := in.Range(in.ArgsStart+a, in.ArgsStart+b); whole {
						errs = append(errs, where+": Range not ok but the logical range is contiguous")
					}
					continue
				}
				if got := string(f.Data[start:end]); got != text {
					errs = append(errs, fmt.Sprintf("%s: file bytes [%d,%d) are %q", where, start, end, got))
				}
				if o := s.Offset(w.Pos()); o != start {
					errs = append(errs, fmt.Sprintf("%s: Offset %d, Range starts at %d", where, o, start))
				}
				if o := s.EndOffset(w.End()); o != end {
					errs = append(errs, fmt.Sprintf("%s: EndOffset %d, Range ends at %d", where, o, end))
				}
			}
			return true
		})
	})
	return words, errs
}

// argErrors checks every ARG's declarations against buildkit's words for
// the instruction (Node.Next chain): each word is NAME or NAME=RAW, RAW
// being the value as written, quotes included.
func argErrors(f *File) []string {
	var errs []string
	var all []*Arg
	all = append(all, f.GlobalArgs...)
	for _, s := range f.Stages {
		all = append(all, s.Args...)
	}
	byInst := map[*Instruction][]*Arg{}
	for _, a := range all {
		byInst[a.Inst] = append(byInst[a.Inst], a)
	}
	for _, in := range f.Instructions {
		if !in.Is("ARG") {
			continue
		}
		var words []string
		for n := in.Node.Next; n != nil; n = n.Next {
			words = append(words, n.Value)
		}
		var got []string
		for _, a := range byInst[in] {
			w := a.Name
			if a.HasValue {
				w += "=" + in.Logical[a.ValueStart:a.ValueEnd]
			}
			got = append(got, w)
		}
		if strings.Join(got, "\x00") != strings.Join(words, "\x00") {
			errs = append(errs, fmt.Sprintf("line %d: ARG declarations %q, buildkit's words %q", in.StartLine, got, words))
		}
	}
	return errs
}
