package source

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"mvdan.cc/sh/v3/syntax"
)

// TestScriptWords maps every word of every shell RUN back to the file. Each
// expected word is written "text@line" (contiguous, found on that physical
// line) or "text!" (split by a continuation: Range reports ok == false).
// scriptWords checks besides that the bytes equal the word's text.
func TestScriptWords(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		words []string
	}{
		{
			name: "CRLF, a comment and an empty line inside the continuation, a mount flag",
			src: "FROM debian\r\n" +
				"RUN --mount=type=cache,target=/var/cache/apt apt-get update && \\\r\n" +
				"    # install build deps\r\n" +
				"    apt-get install -y foo \\\r\n" +
				"\r\n" +
				"      bar\r\n",
			words: []string{"apt-get@2", "update@2", "apt-get@4", "install@4", "-y@4", "foo@4", "bar@6"},
		},
		{
			name:  "a word split by a continuation",
			src:   "FROM a\nRUN echo hel\\\nlo world\n",
			words: []string{"echo@2", "hello!", "world@3"},
		},
		{
			name:  "quotes and expansions",
			src:   "FROM a\nRUN echo \"a b\" 'c' $HOME ${X:-y} $(id -u) a\\ b\n",
			words: []string{"echo@2", `"a b"@2`, "'c'@2", "$HOME@2", "${X:-y}@2", "$(id -u)@2", `a\ b@2`, "id@2", "-u@2"},
		},
		{
			name:  "compound commands",
			src:   "FROM a\nRUN (cd /x && make) | tee log; \\\n  for i in 1 2; do echo $i; done\n",
			words: []string{"cd@2", "/x@2", "make@2", "tee@2", "log@2", "echo@3", "$i@3"},
		},
		{
			name:  "heredoc script",
			src:   "FROM a\nRUN <<EOF\nset -e\napt-get install -y \\\n  curl\nEOF\n",
			words: []string{"set@3", "-e@3", "apt-get@4", "install@4", "-y@4", "curl@5"},
		},
		{
			name:  "<<- heredoc with tabs in a CRLF file",
			src:   "FROM a\r\nRUN <<-EOF\n\techo hi\n\tEOF\r\n",
			words: []string{"echo@3", "hi@3"},
		},
		{
			name:  "heredoc with a sh shebang",
			src:   "FROM a\nRUN <<EOF\n#!/bin/sh\necho hi\nEOF\n",
			words: []string{"echo@4", "hi@4"},
		},
		{
			name:  "ONBUILD trigger",
			src:   "FROM a\nONBUILD RUN apt-get install \\\n  curl\n",
			words: []string{"apt-get@2", "install@2", "curl@3"},
		},
		{
			name:  "lower case, leading white space, BOM",
			src:   "\uFEFFFROM a\n  run echo hi\n",
			words: []string{"echo@2", "hi@2"},
		},
		{
			name:  "flags ended by --",
			src:   "FROM a\nRUN --network=none -- echo hi\n",
			words: []string{"echo@2", "hi@2"},
		},
		{
			name:  "backtick escape with a POSIX SHELL",
			src:   "# escape=`\nFROM a\nSHELL [\"bash\", \"-c\"]\nRUN echo a `\n  b\n",
			words: []string{"echo@4", "a@4", "b@5"},
		},
		{
			name:  "multi-byte text",
			src:   "FROM a\nRUN echo héllo \\\n  wörld\n",
			words: []string{"echo@2", "héllo@2", "wörld@3"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			ws, errs := scriptWords(f)
			for _, e := range errs {
				t.Error(e)
			}
			var got []string
			for _, w := range ws {
				if !w.OK {
					got = append(got, w.Text+"!")
					continue
				}
				line, _ := f.Position(w.Start)
				got = append(got, fmt.Sprintf("%s@%d", w.Text, line))
			}
			if strings.Join(got, " ") != strings.Join(tt.words, " ") {
				t.Errorf("words\n got %q\nwant %q", got, tt.words)
			}
		})
	}
}

func TestScriptErrors(t *testing.T) {
	tests := []struct {
		name     string
		src      string // the last RUN (or instruction) is checked
		notShell bool   // the error wraps ErrNotShell
		msg      string
	}{
		{"not RUN", "FROM a\nCMD echo\n", true, "CMD is not RUN"},
		{"exec form", "FROM a\nRUN [\"sh\", \"-c\", \"echo\"]\n", true, "exec form"},
		{"PowerShell", "FROM a\nSHELL [\"pwsh\", \"-Command\"]\nRUN Write-Host hi\n", true, "runs under pwsh -Command"},
		{"cmd on a Windows image", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN dir\n", true, "runs under cmd /S /C"},
		{"heredoc feeding python", "FROM a\nRUN <<EOF python3\nprint(1)\nEOF\n", true, "heredoc feeds another command"},
		{"python shebang", "FROM a\nRUN <<EOF\n#!/usr/bin/env python3\nprint(1)\nEOF\n", true, "heredoc script for /usr/bin/env python3"},
		{"CRLF heredoc", "FROM a\r\nRUN <<EOF\r\necho hi\r\nEOF\r\n", true, "CR line endings"},
		{"two heredocs", "FROM a\nRUN <<A <<B\na\nA\nb\nB\n", true, "heredoc feeds another command"},
		{"ONBUILD trigger in a Windows file", "# escape=`\nFROM a\nONBUILD RUN echo\n", true, "ONBUILD trigger of a Windows image"},
		{"ONBUILD trigger of a Windows image", "FROM node:7.9.0-windowsservercore\nONBUILD RUN npm install ; Remove-Item x\n", true, "ONBUILD trigger of a Windows image"},
		{"shell syntax error", "FROM a\nRUN echo \"unterminated\n", false, "line 2: shell:"},
		{"shell syntax error after a continuation", "FROM a\nRUN echo ok && \\\n  if then\n", false, "line 2: shell:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			insts := walked(f)
			in := insts[len(insts)-1]
			s, err := in.Script()
			if err == nil {
				t.Fatalf("Script() parsed %q, want an error", s.Text)
			}
			if errors.Is(err, ErrNotShell) != tt.notShell {
				t.Errorf("error %q: errors.Is(ErrNotShell) = %v, want %v", err, !tt.notShell, tt.notShell)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
		})
	}
}

func TestScriptUnmapped(t *testing.T) {
	f := mustParse(t, "FROM a\nRUN echo hi\n")
	in := f.Instructions[1]
	in.MapErr = errors.New("line 2: source map does not reproduce buildkit's text")
	if _, err := in.Script(); !errors.Is(err, ErrNotShell) || !strings.Contains(err.Error(), "source map") {
		t.Errorf("Script() on an unmapped RUN: %v", err)
	}
}

// TestScriptText checks what text the shell parser sees: buildkit's
// command, without comment lines, for shell form; the body for a heredoc.
func TestScriptText(t *testing.T) {
	for _, tt := range []struct{ src, text string }{
		{"FROM a\nRUN a && \\\n  # note\n  b\n", "a &&   b"},
		{"FROM a\nRUN --mount=type=cache,target=/x a\n", "a"},
		{"FROM a\nRUN <<EOF\na\nb\nEOF\n", "a\nb\n"},
	} {
		f := mustParse(t, tt.src)
		s, err := f.Instructions[1].Script()
		if err != nil {
			t.Errorf("%q: %v", tt.src, err)
			continue
		}
		if s.Text != tt.text {
			t.Errorf("%q: Text = %q, want %q", tt.src, s.Text, tt.text)
		}
		if (s.Heredoc != nil) != strings.Contains(tt.src, "<<") {
			t.Errorf("%q: Heredoc = %v", tt.src, s.Heredoc)
		}
	}
}

// TestScriptEndInHeredoc: a heredoc body whose last line ends with a line
// continuation ("curl\\" then the terminator) makes the shell's last word
// end on the terminator's line; text appended at the end of the last
// command, or the word's range, must stay before the backslash.
func TestScriptEndInHeredoc(t *testing.T) {
	for _, tt := range []struct{ src, before, word string }{
		{"FROM a\nRUN <<EOF\napt-get install -y curl\\\nEOF", "FROM a\nRUN <<EOF\napt-get install -y curl", "curl"},
		{"#0\nRUN <<EOF\n000\\\nEOF\n", "#0\nRUN <<EOF\n000", "000"},
		{"FROM a\nRUN <<EOF\nmake \\\n  install\\\n\\\nEOF\n", "FROM a\nRUN <<EOF\nmake \\\n  install", "install"},
		{"FROM a\nRUN <<EOF\necho 'a\\\n'\nEOF\n", "FROM a\nRUN <<EOF\necho 'a\\\n'", "'a\\\n'"},
		{"FROM a\nRUN <<EOF\necho a\\\\\nEOF\n", "FROM a\nRUN <<EOF\necho a\\\\", "a\\\\"},
	} {
		f := mustParse(t, tt.src)
		s, err := f.Instructions[len(f.Instructions)-1].Script()
		if err != nil {
			t.Fatalf("%q: %v", tt.src, err)
		}
		last := s.File.Stmts[len(s.File.Stmts)-1]
		if at := s.EndOffset(last.End()); tt.src[:at] != tt.before {
			t.Errorf("%q: EndOffset of the last command at %q, want after %q", tt.src, tt.src[:at], tt.before)
		}
		call := last.Cmd.(*syntax.CallExpr)
		a, b, ok := s.Range(call.Args[len(call.Args)-1])
		if !ok || tt.src[a:b] != tt.word {
			t.Errorf("%q: Range of the last word = %q (%v), want %q", tt.src, tt.src[a:b], ok, tt.word)
		}
	}
}

func TestScriptParsedOnce(t *testing.T) {
	f := mustParse(t, "FROM a\nRUN echo hi\nRUN [\"x\"]\n")
	a, errA := f.Instructions[1].Script()
	b, errB := f.Instructions[1].Script()
	if errA != nil || errB != nil || a != b {
		t.Errorf("two calls gave %p (%v) and %p (%v), want one shared Script", a, errA, b, errB)
	}
	_, errA = f.Instructions[2].Script()
	_, errB = f.Instructions[2].Script()
	if errA == nil || errA != errB {
		t.Errorf("exec form: errors %v and %v, want the same error twice", errA, errB)
	}
}

func TestScriptMemo(t *testing.T) {
	f := mustParse(t, "FROM a\nRUN echo hi\nRUN echo ho\n")
	s1, _ := f.Instructions[1].Script()
	s2, _ := f.Instructions[2].Script()
	checkMemo(t, s1.Memo, s2.Memo)
}

func TestInstructionMemo(t *testing.T) {
	f := mustParse(t, "FROM a\nRUN echo hi\nRUN echo ho\n")
	checkMemo(t, f.Instructions[1].Memo, f.Instructions[2].Memo)
}

// checkMemo checks the Memo methods of two scripts or instructions.
func checkMemo(t *testing.T, memo1, memo2 func(key any, f func() any) any) {
	t.Helper()
	type keyA struct{}
	type keyB struct{}
	calls := 0
	count := func(v string) func() any {
		return func() any { calls++; return v }
	}
	if v := memo1(keyA{}, count("a1")); v != "a1" {
		t.Errorf("first call: %v", v)
	}
	if v := memo1(keyA{}, count("again")); v != "a1" || calls != 1 {
		t.Errorf("second call: %v after %d computations, want a1 after 1", v, calls)
	}
	if v := memo1(keyB{}, count("b1")); v != "b1" {
		t.Errorf("another key: %v", v)
	}
	if v := memo2(keyA{}, count("a2")); v != "a2" {
		t.Errorf("another script: %v", v)
	}
	// A value may be computed from another one of the same script.
	nested := memo2(keyB{}, func() any { return memo2(keyA{}, count("unused")).(string) + "+b" })
	if nested != "a2+b" || calls != 3 {
		t.Errorf("nested: %v after %d computations", nested, calls)
	}
	if v := memo1(keyB{}, count("b again")); v != "b1" || calls != 3 {
		t.Errorf("second key again: %v after %d computations", v, calls)
	}
}

// TestReparse checks that a reparsed file takes the syntax trees of the
// shell programs it keeps from the file it rewrites, each tree for one
// script at most, and places them in the new file.
func TestReparse(t *testing.T) {
	runScripts := func(f *File) []*Script {
		var out []*Script
		f.Walk(func(in *Instruction) {
			if !in.Is("RUN") {
				return
			}
			s, err := in.Script()
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, s)
		})
		return out
	}
	old := mustParse(t, "FROM a\nRUN make\nRUN echo x\nRUN make\n")
	oldTrees := runScripts(old)
	f, err := old.Reparse([]byte("FROM a\n# moved\nRUN make\nRUN echo y\nRUN make\nRUN make\n"))
	if err != nil {
		t.Fatal(err)
	}
	scripts := runScripts(f)
	if len(scripts) != 4 {
		t.Fatalf("%d scripts", len(scripts))
	}
	shared := func(s *Script) bool {
		for _, o := range oldTrees {
			if o.File == s.File {
				return true
			}
		}
		return false
	}
	// The two old "make" trees go to two of the three new "make" RUNs;
	// "echo y" and the third "make" are parsed.
	var reused int
	seen := map[any]bool{}
	for i, s := range scripts {
		if seen[s.File] {
			t.Errorf("script %d shares its tree with another script of the file", i)
		}
		seen[s.File] = true
		if shared(s) {
			reused++
			if s.Text != "make" {
				t.Errorf("script %q took an old tree", s.Text)
			}
		}
		// The words are placed in the new file.
		for _, st := range s.File.Stmts {
			start, end, ok := s.Range(st)
			if !ok || string(f.Data[start:end]) != s.Text {
				t.Errorf("script %d: statement at %d:%d, %q, want %q", i, start, end, f.Data[start:end], s.Text)
			}
		}
	}
	if reused != 2 {
		t.Errorf("%d scripts took an old tree, want 2", reused)
	}
}
