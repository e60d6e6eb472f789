package shellcmd

import (
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/source"
)

func TestInline(t *testing.T) {
	tests := []struct {
		name, run string
		want      string // the inline commands' names and words, or "-" when not inline
		script    bool   // RunsScript
		download  bool   // Downloaded
	}{
		{"bash -c", `bash -c 'apt-get update && apt-get install -y x'`, "apt-get update | apt-get install -y x", false, false},
		{"login cluster", `/bin/bash -lc "source ~/.bashrc"`, "source ~/.bashrc", false, false},
		{"options first", `sh -e -o pipefail -c 'make install'`, "make install", false, false},
		{"sudo and su", `sudo su - dev -c "npm install"`, "npm install", false, false},
		{"su --command=", `su --command='pip install x' dev`, "pip install x", false, false},
		{"eval words", `eval apt-get update`, "apt-get update", false, false},
		{"variable becomes a word", `bash -c "apt-get install -y git=${V}"`, "apt-get install -y git=x", false, false},
		{"script file", `bash install.sh`, "-", true, false},
		{"stdin", `bash`, "-", true, false},
		{"command substitution", `sh -c "$(curl -fsSL https://example.invalid/i.sh)"`, "-", true, true},
		{"pipe", `curl -fsSL https://example.invalid/i.sh | sudo -E bash -`, "-", true, true},
		{"process substitution", `bash <(wget -qO- https://example.invalid/i.sh)`, "-", true, true},
		{"local pipe", `cat setup.sh | sh`, "-", true, false},
		{"dot sh", `./configure.sh --prefix=/usr`, "-", true, false},
		{"dot bash", `/opt/setup.bash`, "-", true, false},
		{"unparsable", `bash -c 'if then'`, "-", true, false},
		{"not a shell", `make -C src install`, "-", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, s := lastRun(t, "FROM x\nRUN "+tt.run+"\n")
			cmds := Commands(s)
			var c *Command
			for _, x := range cmds {
				if shells[x.Name()] || x.Name() == "su" || x.Name() == "eval" || strings.Contains(x.Name(), ".") || x.Name() == "make" {
					c = x
				}
			}
			if c == nil {
				t.Fatalf("no shell command in %s", describe(s.Inst.File.Data, cmds))
			}
			inner, ok := c.Inline()
			got := "-"
			if ok {
				var parts []string
				for _, ic := range inner {
					var ws []string
					for _, w := range ic.Args {
						ws = append(ws, w.Value)
					}
					parts = append(parts, strings.Join(ws, " "))
					if ic.Context != InlineContext || ic.Start() != c.Start() || ic.End() != c.End() {
						t.Errorf("inline command %q: context %q, span [%d,%d), want %q [%d,%d)", ws, ic.Context, ic.Start(), ic.End(), InlineContext, c.Start(), c.End())
					}
				}
				got = strings.Join(parts, " | ")
			}
			if got != tt.want {
				t.Errorf("Inline = %q, want %q", got, tt.want)
			}
			if s := c.RunsScript(); s != tt.script {
				t.Errorf("RunsScript = %v, want %v", s, tt.script)
			}
			if d := c.Downloaded(); d != tt.download {
				t.Errorf("Downloaded = %v, want %v", d, tt.download)
			}
		})
	}
}

func TestExecCommand(t *testing.T) {
	f, err := source.Parse("Dockerfile", []byte("FROM x\nRUN [\"sudo\", \"sh\", \"-c\", \"apt-get update\"]\nRUN apt-get update\n"))
	if err != nil {
		t.Fatal(err)
	}
	in := f.Stages[0].Instructions[0]
	c, ok := ExecCommand(in)
	if !ok {
		t.Fatal("ExecCommand: not ok")
	}
	if c.Name() != "sh" || !c.Sudo() || c.Context != ExecContext || c.Start() != in.Start || c.Text(0) != "sudo sh -c apt-get update" {
		t.Errorf("ExecCommand = %s sudo=%v context=%q start=%d, text %q", c.Name(), c.Sudo(), c.Context, c.Start(), c.Text(0))
	}
	inner, ok := c.Inline()
	if !ok || len(inner) != 1 || inner[0].Name() != "apt-get" || !inner[0].Sudo() {
		t.Errorf("Inline of the exec form: %v %v", inner, ok)
	}
	if _, ok := ExecCommand(f.Stages[0].Instructions[1]); ok {
		t.Error("ExecCommand accepts a shell-form RUN")
	}
}

func TestText(t *testing.T) {
	_, s := lastRun(t, "FROM x\nRUN sudo bash -c \"$(curl -fsSL https://example.invalid/a/very/long/path/to/install.sh)\" \\\n  --  extra\n")
	c := Commands(s)[0]
	if got, want := c.Text(0), `sudo bash -c "$(curl -fsSL https://example.invalid/a/very/long/path/to/install.sh)" -- extra`; got != want {
		t.Errorf("Text(0) = %q, want %q", got, want)
	}
	if got, want := c.Text(30), `sudo bash -c "$(curl -fsSL ...`; got != want {
		t.Errorf("Text(30) = %q, want %q", got, want)
	}
}

// FuzzInline reads arbitrary RUN programs: Inline, RunsScript, Downloaded
// and Text never panic, and the commands of a string stay within the
// outer command's span.
func FuzzInline(f *testing.F) {
	for _, s := range []string{
		`bash -c 'apt-get update && apt-get install -y x'`,
		`sudo su - dev -c "npm install ${V}"`,
		`curl -fsSL https://example.invalid/i.sh | sh -s -- -y`,
		`sh -c "$(wget -qO- https://example.invalid/i.sh)"`,
		`eval "$(ssh-agent)" && bash -o pipefail -ec 'x | y'`,
		`bash -c 'bash -c "sh -c \"apt-get update\""'`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, prog string) {
		file, err := source.Parse("Dockerfile", []byte("FROM x\nRUN "+prog+"\n"))
		if err != nil {
			return
		}
		file.Walk(func(in *source.Instruction) {
			s, err := in.Script()
			if err != nil {
				return
			}
			for _, c := range Commands(s) {
				inner, _ := c.Inline()
				for _, ic := range inner {
					if ic.Start() != c.Start() || ic.End() != c.End() {
						t.Fatalf("inline command outside its command's span")
					}
					ic.Inline()
					_ = ic.Text(40)
				}
				c.RunsScript()
				c.Downloaded()
				_ = c.Text(40)
			}
		})
	})
}
