package shellcmd

import (
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/source"
)

// lastRun parses a Dockerfile and returns its last RUN (an ONBUILD
// trigger counts) and that RUN's script.
func lastRun(t *testing.T, dockerfile string) (*source.Instruction, *source.Script) {
	t.Helper()
	f, err := source.Parse("Dockerfile", []byte(dockerfile))
	if err != nil {
		t.Fatal(err)
	}
	var run *source.Instruction
	f.Walk(func(in *source.Instruction) {
		if in.Is("RUN") {
			run = in
		}
	})
	if run == nil {
		t.Fatal("no RUN")
	}
	s, err := run.Script()
	if err != nil {
		t.Fatalf("Script: %v", err)
	}
	return run, s
}

// describe renders commands as "name[args...]{context}" with the file text
// of each word taken through its offsets, so that the offsets are checked
// too.
func describe(data []byte, cmds []*Command) string {
	var out []string
	for _, c := range cmds {
		var ws []string
		for _, w := range c.Args {
			ws = append(ws, string(data[w.Start:w.End]))
		}
		d := c.Name() + "[" + strings.Join(ws, " ") + "]"
		if len(c.Prefix) > 0 {
			var ps []string
			for _, w := range c.Prefix {
				ps = append(ps, w.Value)
			}
			d = "(" + strings.Join(ps, " ") + ")" + d
		}
		if len(c.Env) > 0 {
			d += "<" + strings.Join(c.Env, ",") + ">"
		}
		if c.Context != "" {
			d += "{" + c.Context + "}"
		}
		out = append(out, d)
	}
	return strings.Join(out, " ")
}

func TestCommands(t *testing.T) {
	tests := []struct {
		name, dockerfile, want string
	}{
		{"and list", "FROM x\nRUN apt-get update && apt-get install -y curl\n",
			"apt-get[apt-get update] apt-get[apt-get install -y curl]"},
		{"continuation and comment", "FROM x\nRUN apt-get update && \\\n  # why\n  apt-get install \\\n    curl\n",
			"apt-get[apt-get update] apt-get[apt-get install curl]"},
		{"crlf", "FROM x\r\nRUN a && \\\r\n  b c\r\n", "a[a] b[b c]"},
		{"path and quotes", "FROM x\nRUN /usr/bin/apt-get 'install' \"-y\" x\n",
			"apt-get[/usr/bin/apt-get 'install' \"-y\" x]"},
		{"wrappers", "FROM x\nRUN sudo -E -u root env A=1 -i B=2 DEBIAN_FRONTEND=noninteractive apt-get install x\n",
			"(sudo -E -u root env A=1 -i B=2 DEBIAN_FRONTEND=noninteractive)apt-get[apt-get install x]<A=1,B=2,DEBIAN_FRONTEND=noninteractive>"},
		{"assignments", "FROM x\nRUN DEBIAN_FRONTEND=noninteractive apt-get -qq install x\n",
			"apt-get[apt-get -qq install x]<DEBIAN_FRONTEND=noninteractive>"},
		{"command lookup is no command", "FROM x\nRUN command -v apt-get && command apt-get update\n",
			"(command)apt-get[apt-get update]"},
		{"non-literal name", "FROM x\nRUN $PM install x && \"$(which pip)\" install y\n",
			"which[which pip]{command substitution}"},
		{"complex contexts", "FROM x\nRUN if a; then b; fi; (c); { d; }; for i in 1; do e; done; f() { g; }; while h; do i; done; case x in y) j;; esac; k $(l) | m\n",
			"a[a]{if} b[b]{if} c[c]{subshell} d[d]{group} e[e]{for} g[g]{function} h[h]{while} i[i]{while} j[j]{case} k[k $(l)] l[l]{command substitution} m[m]"},
		{"heredoc body", "FROM x\nRUN <<EOF\nset -e\napt-get install -y \\\n  curl\nEOF\n",
			"set[set -e] apt-get[apt-get install -y curl]"},
		{"onbuild", "FROM x\nONBUILD RUN pip install -r r.txt\n", "pip[pip install -r r.txt]"},
		{"escape backtick with a POSIX shell", "# escape=`\nFROM x\nSHELL [\"/bin/sh\", \"-c\"]\nRUN a && `\n  b\n", "a[a] b[b]"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, s := lastRun(t, tt.dockerfile)
			got := describe(run.File.Data, Commands(s))
			if got != tt.want {
				t.Errorf("got  %s\nwant %s", got, tt.want)
			}
		})
	}
}

func TestParse(t *testing.T) {
	tests := []struct {
		line       string
		takesValue []string
		options    string
		operands   string
	}{
		{"apt-get -qq install -y x", []string{"-o"}, "-q -q -y", "install x"},
		{"apt-get install -qy --no-install-recommends x", nil, "-q -y --no-install-recommends", "install x"},
		{"apt-get -o APT::Get::Assume-Yes=true install x", []string{"-o"}, "-o=APT::Get::Assume-Yes=true", "install x"},
		{"apt-get -oDebug::X=1 -q=2 install", []string{"-o"}, "-o=Debug::X=1 -q=2", "install"},
		{"pip --log /tmp/l install --no-cache-dir=1 x", []string{"--log"}, "--log=/tmp/l --no-cache-dir=1", "install x"},
		{"zypper -n in -- -weird", nil, "-n", "in -weird"},
		{"apk -- add --no-cache x", nil, "", "add --no-cache x"},
		{"apk add $PKGS", nil, "", "add $PKGS"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			_, s := lastRun(t, "FROM x\nRUN "+tt.line+"\n")
			c := Commands(s)[0]
			l := c.Parse(tt.takesValue...)
			var opts, ops []string
			for _, o := range l.Options {
				if o.HasValue {
					opts = append(opts, o.Name+"="+o.Value)
				} else {
					opts = append(opts, o.Name)
				}
			}
			for _, i := range l.Operands {
				ops = append(ops, c.Args[i].Node.Lit()+rawIfNotLit(c.Args[i]))
			}
			if got := strings.Join(opts, " "); got != tt.options {
				t.Errorf("options %q, want %q", got, tt.options)
			}
			if got := strings.Join(ops, " "); got != tt.operands {
				t.Errorf("operands %q, want %q", got, tt.operands)
			}
		})
	}
}

func rawIfNotLit(w Word) string {
	if w.Literal {
		return ""
	}
	return "$PKGS"
}

func TestLineHelpers(t *testing.T) {
	_, s := lastRun(t, "FROM x\nRUN apt-get -qq -o A=1 install x\n")
	l := Commands(s)[0].Parse("-o")
	if l.Count("-q") != 2 || !l.Has("-y", "-q") || l.Has("-y") {
		t.Errorf("Count/Has wrong: %+v", l)
	}
	if v := l.Values("-o"); len(v) != 1 || v[0] != "A=1" {
		t.Errorf("Values = %q", v)
	}
	if l.Operand(0) != 4 || l.Operand(2) != -1 {
		t.Errorf("Operand: %d %d", l.Operand(0), l.Operand(2))
	}
}

func TestEditsOnWords(t *testing.T) {
	run, s := lastRun(t, "FROM x\nRUN apt install \\\n  curl && ap\\\nt update\n")
	data := run.File.Data
	cmds := Commands(s)
	e, ok := cmds[0].Replace(0, "apt-get")
	if !ok {
		t.Fatal("Replace of a contiguous word failed")
	}
	ins := cmds[0].InsertAfter(1, " -y")
	out, err := edit.Apply(data, []edit.Edit{e, ins})
	if err != nil {
		t.Fatal(err)
	}
	if want := "FROM x\nRUN apt-get install -y \\\n  curl && ap\\\nt update\n"; string(out) != want {
		t.Errorf("got %q, want %q", out, want)
	}
	if _, ok := cmds[1].Replace(0, "apt-get"); ok {
		t.Error("Replace of a word split by a continuation must fail")
	}
	if cmds[1].Name() != "apt" {
		t.Errorf("joined name %q", cmds[1].Name())
	}
}

func TestInsertOption(t *testing.T) {
	tests := []struct {
		line string
		sub  int // the word the option belongs after
		want string
	}{
		{"apk add curl", 1, "apk add --x curl"},
		{"apk -- add curl", 2, "apk --x -- add curl"},
		{"apk -q -- add curl", 3, "apk -q --x -- add curl"},
		{"apk add -- curl", 1, "apk add --x -- curl"},
		{"pip -- \\\n  install x", 2, "pip --x -- \\\n  install x"},
		// "--" taken as an option's value ends nothing.
		{"apt-get -o -- install x", 3, "apt-get -o -- install --x x"},
		// A second "--" is an operand.
		{"dnf -- group -- install x", 3, "dnf --x -- group -- install x"},
	}
	for _, tt := range tests {
		t.Run(tt.line, func(t *testing.T) {
			run, s := lastRun(t, "FROM x\nRUN "+tt.line+"\n")
			c := Commands(s)[0]
			l := c.Parse("-o")
			got := apply(t, run.File.Data, c.InsertOption(l, tt.sub, " --x"))
			want := "FROM x\nRUN " + tt.want + "\n"
			if got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

func apply(t *testing.T, data []byte, e edit.Edit) string {
	t.Helper()
	out, err := edit.Apply(data, []edit.Edit{e})
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestAppend(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"simple", "FROM x\nRUN a && b\n", "FROM x\nRUN a && b && c\n", ""},
		{"or list", "FROM x\nRUN a || b\n", "FROM x\nRUN a || b && c\n", ""},
		{"trailing semicolon", "FROM x\nRUN a; b;\n", "FROM x\nRUN a; b && c;\n", ""},
		{"trailing comment", "FROM x\nRUN a # note\n", "FROM x\nRUN a && c # note\n", ""},
		{"continuation and crlf", "FROM x\r\nRUN a \\\r\n  b \\\r\n  # note\r\n  d\r\nCMD z\r\n", "FROM x\r\nRUN a \\\r\n  b \\\r\n  # note\r\n  d && c\r\nCMD z\r\n", ""},
		{"redirect", "FROM x\nRUN a >/dev/null 2>&1\n", "FROM x\nRUN a >/dev/null 2>&1 && c\n", ""},
		{"heredoc without set -e", "FROM x\nRUN <<EOF\na\nb\nEOF\n", "FROM x\nRUN <<EOF\na\nb && c\nEOF\n", ""},
		{"compound", "FROM x\nRUN if a; then b; fi\n", "FROM x\nRUN if a; then b; fi && c\n", ""},
		{"background", "FROM x\nRUN a &\n", "", "background"},
		{"earlier background", "FROM x\nRUN a & b\n", "", "in the background"},
		{"background then wait", "FROM x\nRUN a & b & wait\n", "FROM x\nRUN a & b & wait && c\n", ""},
		{"redirection alone", "FROM x\nRUN a; <f\n", "FROM x\nRUN a; <f && c\n", ""},
		{"exit", "FROM x\nRUN a && exit 0\n", "", "ends with exit"},
		{"function", "FROM x\nRUN f() { a; }\n", "", "function"},
		{"nested heredoc", "FROM x\nRUN <<EOF\ncat <<X >f\nbody\nX\nEOF\n", "", "here-document"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, s := lastRun(t, tt.in)
			e, err := Append(s, "c")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := apply(t, run.File.Data, e); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestPrepend(t *testing.T) {
	tests := []struct {
		name, in, want, err string
	}{
		{"command", "FROM x\nRUN a b\n", "FROM x\nRUN u && a b\n", ""},
		{"and list", "FROM x\nRUN a && b || c && d\n", "", "|| list"},
		{"and list ok", "FROM x\nRUN a | b && c\n", "FROM x\nRUN u && a | b && c\n", ""},
		{"continuation first", "FROM x\nRUN \\\n  a\n", "FROM x\nRUN \\\n  u && a\n", ""},
		{"several statements", "FROM x\nRUN a; b\n", "", "set -e"},
		{"set -e shell form", "FROM x\nRUN set -eux; a; b\n", "FROM x\nRUN set -eux; u; a; b\n", ""},
		{"set -o errexit heredoc", "FROM x\nRUN <<EOF\nset -o errexit\n  a\nb\nEOF\n", "FROM x\nRUN <<EOF\nset -o errexit\n  u\n  a\nb\nEOF\n", ""},
		{"set +e later", "FROM x\nRUN set -e; a; set +e; b\n", "", "turns set -e off"},
		{"background", "FROM x\nRUN a &\n", "", "background"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			run, s := lastRun(t, tt.in)
			e, err := Prepend(s, "u")
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := apply(t, run.File.Data, e); got != tt.want {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestMounts(t *testing.T) {
	tests := []struct {
		flags string
		dir   string
		want  bool
	}{
		{"--mount=type=cache,target=/var/lib/apt/lists", "/var/lib/apt/lists", true},
		{"--mount=target=/var/lib/apt,type=cache,sharing=locked", "/var/lib/apt/lists", true},
		{"--mount=type=cache,dst=/var/lib/apt/lists/", "/var/lib/apt/lists", true},
		{`--mount="type=tmpfs,destination=/var/lib/apt/lists"`, "/var/lib/apt/lists", true},
		{"--mount=TYPE=Cache,Target=/var/lib/apt/lists", "/var/lib/apt/lists", true},
		{"--mount=type=cache,target=/var/lib/apt/lists/partial", "/var/lib/apt/lists", false},
		{"--mount=type=bind,target=/var/lib/apt/lists", "/var/lib/apt/lists", false},
		{"--mount=type=cache,target=/var/cache/apt", "/var/lib/apt/lists", false},
		{"--mount=type=cache,target=$CACHE", "/var/lib/apt/lists", true},
		{"--mount=type=cache,target=/root/.cache --mount=type=secret,id=x", "/root/.cache/pip", true},
	}
	for _, tt := range tests {
		t.Run(tt.flags, func(t *testing.T) {
			run, _ := lastRun(t, "FROM x\nRUN "+tt.flags+" true\n")
			if got := CacheCovers(run, tt.dir); got != tt.want {
				t.Errorf("CacheCovers(%s) = %v, want %v (mounts %+v)", tt.dir, got, tt.want, Mounts(run))
			}
		})
	}
}

func TestImageStage(t *testing.T) {
	f, err := source.Parse("Dockerfile", []byte("FROM a AS base\nRUN one\nFROM b AS build\nRUN two\nFROM base\nRUN three\nONBUILD RUN four\n"))
	if err != nil {
		t.Fatal(err)
	}
	var got []bool
	f.Walk(func(in *source.Instruction) {
		if in.Is("RUN") {
			got = append(got, ImageStage(in))
		}
	})
	want := []bool{true, false, true, true}
	if len(got) != len(want) {
		t.Fatalf("got %v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("RUN %d: ImageStage = %v, want %v", i+1, got[i], want[i])
		}
	}
}

func TestInvocation(t *testing.T) {
	tests := []struct {
		line, want string
		sudo       bool
	}{
		{"dnf install -y x", "dnf", false},
		{"sudo -E /usr/bin/microdnf install x", "sudo -E /usr/bin/microdnf", true},
		{"A=1 env B='two words' yum install x", "env B='two words' yum", false},
	}
	for _, tt := range tests {
		_, s := lastRun(t, "FROM x\nRUN "+tt.line+"\n")
		c := Commands(s)[0]
		if got := c.Invocation(); got != tt.want {
			t.Errorf("%s: Invocation() = %q, want %q", tt.line, got, tt.want)
		}
		if got := c.Sudo(); got != tt.sudo {
			t.Errorf("%s: Sudo() = %v, want %v", tt.line, got, tt.sudo)
		}
	}
}

func TestCommandsComputedOnce(t *testing.T) {
	_, s := lastRun(t, "FROM x\nRUN a && b\n")
	first, second := Commands(s), Commands(s)
	if len(first) != 2 || &first[0] != &second[0] {
		t.Errorf("two calls gave %p and %p, want one shared list of 2", first, second)
	}
}

func TestRemoves(t *testing.T) {
	tests := []struct {
		cmd  string
		want bool
	}{
		{"rm -rf /var/cache/dnf", true},
		{"rm -rf /var/cache/dnf/*", true},
		{"rm -rf /var/cache/dnf/", true},
		{"rm -rf /var/cache", true},
		{"rm -rf /var/cache/dnf/packages", false},
		{"rm -rf /var/cache/yum", false},
		{"rm -rf \"$DIR\"", false},
		{"echo rm -rf /var/cache/dnf", false},
		{"rm -rf /tmp/x /var/cache/dnf/*", true},
	}
	for _, tt := range tests {
		_, s := lastRun(t, "FROM x\nRUN "+tt.cmd+"\n")
		if got := Commands(s)[0].Removes("/var/cache/dnf", "/var/cache/libdnf5"); got != tt.want {
			t.Errorf("%s: Removes = %v, want %v", tt.cmd, got, tt.want)
		}
	}
}
