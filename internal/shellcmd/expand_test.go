package shellcmd

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/source"
)

func TestExpand(t *testing.T) {
	vars := map[string]string{"PREFIX": "/opt/app", "EMPTY": ""}
	lookup := func(name string) (string, bool, bool) {
		if name == "UNKNOWN" {
			return "", false, true // declared by an ARG without a value
		}
		v, ok := vars[name]
		return v, ok, ok
	}
	for _, tt := range []struct {
		word, want string
		ok         bool
	}{
		{`plain`, "plain", true},
		{`\-y`, "-y", true},
		{`'a b'`, "a b", true},
		{`"a\"b"`, `a\"b`, true},
		{`$PREFIX/bin`, "/opt/app/bin", true},
		{`"${PREFIX}/lib"`, "/opt/app/lib", true},
		{`${MISSING:-/usr/local}`, "/usr/local", true},
		{`${EMPTY:-x}`, "x", true},
		{`${EMPTY-x}`, "", true},
		{`${UNKNOWN:-x}`, "", false}, // declared, value unknown: not the default
		{`$MISSING`, "", false},
		{`$(pwd)`, "", false},
		{`$'x'`, "", false},
		{`${PREFIX#/}`, "", false},
		{`${#PREFIX}`, "", false},
	} {
		f, err := syntax.NewParser().Parse(strings.NewReader("echo "+tt.word), "")
		if err != nil {
			t.Fatal(err)
		}
		w := f.Stmts[0].Cmd.(*syntax.CallExpr).Args[1]
		got, ok := Expand(w, lookup)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Expand(%s) = %q, %v; want %q, %v", tt.word, got, ok, tt.want, tt.ok)
		}
		// Unquote is Expand without variables.
		u, uok := Unquote(w)
		if wantU := !strings.Contains(tt.word, "$") && tt.ok; uok != wantU || (uok && u != tt.want) {
			t.Errorf("Unquote(%s) = %q, %v", tt.word, u, uok)
		}
	}
	if _, ok := Expand(nil, lookup); ok {
		t.Error("Expand(nil) succeeded")
	}
}

func TestMentions(t *testing.T) {
	f, err := source.Parse("Dockerfile", []byte("FROM x\n"+
		"RUN apt-get update\n"+
		"RUN a\"p\"t-get install -y x && ap\\\n  t update\n"+
		"RUN make && \\\n    make install\n"+
		"RUN <<EOF\nset -e\nzypper in -y x\nEOF\n"+
		"RUN <<EOF\nset -e\nap\\\nk add x\nEOF\n"+
		"RUN <<EOF\r\nset -e\r\nd\\\r\nnf install -y 'x'\r\nEOF\r\n"))
	if err != nil {
		t.Fatal(err)
	}
	runs := f.Stages[0].Instructions
	for i, tt := range []struct {
		words []string
		want  bool
	}{
		{[]string{"apt"}, true},
		{[]string{"apt"}, true},
		{[]string{"apt", "apk"}, false},
		{[]string{"zypper"}, true},
		{[]string{"apk"}, true}, // a line continued with a backslash in a heredoc
		{[]string{"dnf"}, true}, // the same, with CRLF line ends and quotes
	} {
		if got := Mentions(runs[i], tt.words...); got != tt.want {
			t.Errorf("Mentions(%q, %v) = %v", runs[i].Args(), tt.words, got)
		}
	}
}

// TestUnquoted checks Mentions' text without quotes against the plain
// definition: every byte but ', " and \\, in order.
func TestUnquoted(t *testing.T) {
	for _, text := range []string{
		"", "apt-get install -y x", `'`, `""`, `\`, `a"p"t`, `ap\t`, `'a'"b"\c'`,
		`x='"\'"'"' y "z\"" \`, `"a\"b'c'd\\e"f`, `trailing"`, `'leading`,
	} {
		var want strings.Builder
		quoted := false
		for i := 0; i < len(text); i++ {
			if c := text[i]; c == '\'' || c == '"' || c == '\\' {
				quoted = true
			} else {
				want.WriteByte(c)
			}
		}
		w := want.String()
		if !quoted {
			w = ""
		}
		if got := unquoted(text); got != w {
			t.Errorf("unquoted(%q) = %q, want %q", text, got, w)
		}
	}
}

func TestGetoptValueIndex(t *testing.T) {
	words := []string{"gcc", "-o", "out", "-Iinc", "--std=c11", "-c", "x.c", "--", "-y"}
	l := Getopt(len(words), func(i int) (string, bool) { return words[i], true }, "-o", "-I")
	type opt struct {
		name, value       string
		index, valueIndex int
	}
	var got []opt
	for _, o := range l.Options {
		got = append(got, opt{o.Name, o.Value, o.Index, o.ValueIndex})
	}
	want := []opt{{"-o", "out", 1, 2}, {"-I", "inc", 3, 3}, {"--std", "c11", 4, 4}, {"-c", "", 5, 5}}
	if len(got) != len(want) {
		t.Fatalf("options %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("option %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if ops := l.Operands; len(ops) != 2 || ops[0] != 6 || ops[1] != 8 || l.DoubleDash != 7 {
		t.Errorf("operands %v, double dash %d", ops, l.DoubleDash)
	}
}

// TestMayRun checks which command names MayRun finds in RUNs.
func TestMayRun(t *testing.T) {
	for _, tt := range []struct {
		run, name string
		want      bool
	}{
		{"RUN make", "make", true},
		{"RUN /usr/bin/make -j4 install", "make", true},
		{`RUN cd /src && "ma"ke`, "make", true},
		{`RUN ma\ke`, "make", true},
		{"RUN x=$(make) && `make`", "make", true},
		{"RUN (make);{ make; }", "make", true},
		{"RUN gcc-12 -o x x.c", "gcc-12", true},
		{"RUN echo makefile && cmake . && make_x", "make", false},
		{"RUN echo hi", "make", false},
		{"RUN [\"ls\"]", "make", true}, // exec form: JSON text, not read
		{"RUN <<EOF\nls\nEOF", "make", true},
	} {
		f, err := source.Parse("Dockerfile", []byte("FROM x\n"+tt.run+"\n"))
		if err != nil {
			t.Fatal(err)
		}
		in := f.Stages[0].Instructions[0]
		if got := MayRun(in, func(n string) bool { return n == tt.name }); got != tt.want {
			t.Errorf("MayRun(%q, %s) = %v, want %v", tt.run, tt.name, got, tt.want)
		}
	}
}

// TestMayRunCorpus checks MayRun against Commands over the corpus: every
// command whose name is made of the bytes MayRun reads is found.
func TestMayRunCorpus(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("..", "..", "..", "shared", "corpus", "files", "*"))
	if len(files) == 0 {
		t.Skip("corpus not found")
	}
	var runs, cmds int
	for _, p := range files {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		f, err := source.Parse(p, data)
		if err != nil {
			continue
		}
		f.Walk(func(in *source.Instruction) {
			s, err := in.Script()
			if err != nil {
				return
			}
			runs++
			for _, c := range Commands(s) {
				name := c.Name()
				if name == "" || strings.IndexFunc(name, func(r rune) bool { return r >= utf8.RuneSelf || !nameByte(byte(r)) }) >= 0 {
					continue
				}
				cmds++
				if !MayRun(in, func(n string) bool { return n == name }) {
					t.Errorf("%s:%d: MayRun does not find %s", p, in.StartLine, name)
				}
			}
		})
	}
	t.Logf("%d commands of %d RUNs found", cmds, runs)
}
