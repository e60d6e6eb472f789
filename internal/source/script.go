package source

import (
	"errors"
	"fmt"
	"strings"
	"sync"

	"mvdan.cc/sh/v3/syntax"
)

// Script is the shell program a RUN instruction runs, parsed with
// mvdan.cc/sh, with positions mapped back to the file.
//
// For a shell-form RUN the program is the logical argument text, exactly
// what buildkit hands to "/bin/sh -c". For "RUN <<EOF" it is the heredoc
// body, whose bytes are the file's bytes.
type Script struct {
	// Inst is the RUN instruction.
	Inst *Instruction
	// File is the parsed program.
	File *syntax.File
	// Text is the program text that was parsed.
	Text string
	// Heredoc is the body the program came from, or nil.
	Heredoc *Heredoc

	memo memo // see Memo
}

// Memo returns the value stored under key for this script, calling f to
// compute it the first time, so that an analysis of the program that
// several rules need is done once per instruction (the script itself is
// parsed once). Use an unexported key type of the analysing package, as
// for context values. The value is shared by every caller and must not be
// modified. Memo may be called from several goroutines and from inside f;
// if two calls compute a value at once, the first stored wins.
func (s *Script) Memo(key any, f func() any) any { return s.memo.get(key, f) }

// memo holds the values of a Memo method. There are few keys per script
// or instruction (one per analysis that several rules share), so they are
// kept in a slice, searched in order.
type memo struct {
	mu sync.Mutex
	kv []memoEntry
}

type memoEntry struct{ key, value any }

func (m *memo) lookup(key any) (any, bool) {
	for _, e := range m.kv {
		if e.key == key {
			return e.value, true
		}
	}
	return nil, false
}

func (m *memo) get(key any, f func() any) any {
	m.mu.Lock()
	v, ok := m.lookup(key)
	m.mu.Unlock()
	if ok {
		return v
	}
	v = f()
	m.mu.Lock()
	defer m.mu.Unlock()
	if old, ok := m.lookup(key); ok {
		return old
	}
	m.kv = append(m.kv, memoEntry{key, v})
	return v
}

// ErrNotShell is returned by Script for instructions whose command is not
// a POSIX shell program dockmend may edit.
var ErrNotShell = errors.New("not a POSIX shell command")

// Script parses the instruction's shell program. It returns an error
// wrapping ErrNotShell for exec-form commands, non-POSIX shells
// (PowerShell, cmd), heredocs that feed another program or have CRLF line
// endings, and instructions whose source map is not verified.
//
// The program is parsed once per instruction: every rule that asks gets
// the same *Script, which must not be modified.
func (in *Instruction) Script() (*Script, error) {
	in.scriptOnce.Do(func() { in.script, in.scriptErr = in.parseScript() })
	return in.script, in.scriptErr
}

func (in *Instruction) parseScript() (*Script, error) {
	if !in.Is("RUN") {
		return nil, fmt.Errorf("%w: %s is not RUN", ErrNotShell, in.Keyword)
	}
	if in.MapErr != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotShell, in.MapErr)
	}
	if in.JSON {
		return nil, fmt.Errorf("%w: exec form", ErrNotShell)
	}
	if in.Parent != nil {
		if in.File.Escape == '`' || in.Parent.Stage != nil && in.Parent.Stage.Windows() {
			// The trigger runs in an image built on this Windows one.
			return nil, fmt.Errorf("%w: ONBUILD trigger of a Windows image", ErrNotShell)
		}
	} else if !in.POSIXShell() {
		return nil, fmt.Errorf("%w: runs under %s", ErrNotShell, strings.Join(in.Shell(), " "))
	}
	s := &Script{Inst: in}
	if len(in.Heredocs) > 0 {
		fields := in.Fields()
		if len(in.Heredocs) != 1 || len(fields) != 1 || !strings.HasPrefix(fields[0].Text, "<<") {
			return nil, fmt.Errorf("%w: heredoc feeds another command", ErrNotShell)
		}
		h := in.Heredocs[0]
		if h.MapErr != nil {
			return nil, fmt.Errorf("%w: %v", ErrNotShell, h.MapErr)
		}
		if strings.Contains(h.Content, "\r") {
			// The shell would see each CR as part of the last word of its
			// line, and an edit at the end of a command would land between
			// CR and LF.
			return nil, fmt.Errorf("%w: heredoc body has CR line endings", ErrNotShell)
		}
		if strings.HasPrefix(h.Content, "#!") {
			first, _, _ := strings.Cut(h.Content, "\n")
			if !strings.Contains(first, "sh") {
				return nil, fmt.Errorf("%w: heredoc script for %s", ErrNotShell, strings.TrimSpace(first[2:]))
			}
		}
		s.Heredoc = h
		s.Text = h.Content
	} else {
		s.Text = in.Args()
		if in.Node.Next == nil || s.Text != in.Node.Next.Value {
			return nil, fmt.Errorf("%w: command text does not match buildkit's", ErrNotShell)
		}
	}
	f, err := in.File.parseShell(s.Text)
	if err != nil {
		return nil, fmt.Errorf("line %d: shell: %w", in.StartLine, err)
	}
	s.File = f
	return s, nil
}

// Offset converts a position in Text into a byte offset in the file.
func (s *Script) Offset(p syntax.Pos) int {
	o := int(p.Offset())
	if s.Heredoc != nil {
		return s.Heredoc.Start + o
	}
	return s.Inst.Offset(s.Inst.ArgsStart + o)
}

// EndOffset converts an end position (just past a node) into the byte
// offset just past the node's last byte, so that text inserted there lands
// before any line continuation or line ending that follows.
func (s *Script) EndOffset(p syntax.Pos) int {
	o := int(p.Offset())
	if s.Heredoc != nil {
		return s.Heredoc.Start + s.beforeContinuation(o)
	}
	return s.Inst.InsertAt(s.Inst.ArgsStart + o)
}

// beforeContinuation moves the end offset o of a node of a heredoc's
// program back over the line continuations it ends with. The shell takes
// "curl\" on the body's last line, then the newline, as part of the word
// curl, so the word ends on the next line, the terminator's: text
// inserted there, or a replacement of the word's bytes, would break the
// terminator's line. (A RUN's own continuations are buildkit's, not in
// the program's text.)
func (s *Script) beforeContinuation(o int) int {
	for o >= 2 && o <= len(s.Text) && s.Text[o-2:o] == "\\\n" && !escaped(s.Text, o-2) {
		o -= 2
	}
	return o
}

// escaped reports whether the byte at i of text follows an odd number of
// backslashes.
func escaped(text string, i int) bool {
	n := 0
	for i > 0 && text[i-1] == '\\' {
		n++
		i--
	}
	return n%2 == 1
}

// Range returns the byte range of a node. ok is false when the node is not
// contiguous in the file (a line continuation runs through it).
func (s *Script) Range(n syntax.Node) (start, end int, ok bool) {
	a, b := int(n.Pos().Offset()), int(n.End().Offset())
	if s.Heredoc != nil {
		return s.Heredoc.Start + a, s.Heredoc.Start + max(a, s.beforeContinuation(b)), true
	}
	return s.Inst.Range(s.Inst.ArgsStart+a, s.Inst.ArgsStart+b)
}

// parseShell parses a shell program with the file's parser, which is made
// once and reused: a parser's buffers cost more to allocate than a typical
// RUN line costs to parse. A program of the same text that the file this
// one rewrites has parsed is taken from it instead (see Reparse).
func (f *File) parseShell(text string) (*syntax.File, error) {
	f.shellMu.Lock()
	defer f.shellMu.Unlock()
	var t *syntax.File
	if old := f.reuse[text]; len(old) > 0 {
		t, f.reuse[text] = old[len(old)-1], old[:len(old)-1]
	} else {
		if f.shell == nil {
			f.shell = syntax.NewParser(syntax.KeepComments(true), syntax.Variant(syntax.LangBash))
		}
		var err error
		if t, err = f.shell.Parse(strings.NewReader(text), ""); err != nil {
			return nil, err
		}
	}
	f.parsed = append(f.parsed, parsedShell{text, t})
	return t, nil
}
