package multistage

import (
	"context"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"slices"
	"strconv"
	"testing"

	"github.com/dockmend/dockmend/internal/transformtest"

	"github.com/dockmend/dockmend/internal/runtimebase"
	"github.com/dockmend/dockmend/internal/source"
)

// TestMayBuild checks mayBuild on final stages that build and on stages
// that cannot, and on the forms it cannot tell apart.
func TestMayBuild(t *testing.T) {
	tests := []struct {
		run  string // the RUN instructions of the stage
		want bool
	}{
		{"RUN apt-get update && apt-get install -y gcc make && rm -rf /var/lib/apt/lists/*", false},
		{"RUN echo make gcc && ls /usr/bin/go", false},
		{"RUN $CC -o x x.c", false}, // a name that is not literal is not read
		{"RUN make", true},
		{"RUN cd /src && ./configure && make -j4 install", true},
		{"RUN sudo -E /usr/bin/gcc-12 -o /x x.c", true},
		{"RUN env CGO_ENABLED=0 go build ./...", true},
		{"RUN python3.11 setup.py install", true},
		{"RUN if true; then cargo build; fi", true},
		{"RUN x=$(npm run build)", true},
		{"RUN ./Build install", true},
		{"RUN find . -name '*.c' -exec gcc -c {} +", true},
		{"RUN find /tmp -delete", false},
		{"RUN find $DIR -delete", true}, // the analysis expands variables it knows
		{"RUN ls | xargs -n1 pip3.12 install", true},
		{"RUN ls | xargs rm -f", false},
		{"RUN ~/bin/tool", true}, // ~ is the home directory, which ENV may set
		{"RUN [\"make\", \"install\"]", true},
		{"RUN [\"/bin/ls\"]", false},
		{"RUN <<EOF\nset -e\nmake\nEOF", true},
		{"RUN <<EOF\nls\nEOF", false},
	}
	for _, tt := range tests {
		df := "FROM debian:12\n" + tt.run + "\n"
		f, err := source.Parse("Dockerfile", []byte(df))
		if err != nil {
			t.Fatalf("%q: %v", tt.run, err)
		}
		if got := mayBuild(f.Stages[0]); got != tt.want {
			t.Errorf("mayBuild(%q) = %v, want %v", tt.run, got, tt.want)
		}
	}
}

// TestStepCommands checks stepCommands against analysis.command: every
// name command switches on (read from commands.go) is run with argument
// lists that make the commands of the rule build, and any that records a
// step must be one mayStep allows (its name in stepCommands, or find and
// xargs running one); every name in stepCommands is one command switches
// on.
func TestStepCommands(t *testing.T) {
	names := commandCases(t)
	argLists := [][]string{
		nil, {"."}, {"install"}, {"install", "."}, {"install", "-g", "x"}, {"install", "--prefix", "/opt", "."},
		{"build"}, {"build", "-o", "/out/app", "."}, {"run", "build"}, {"ci"}, {"sync"}, {"wheel", "."},
		{"-m", "build"}, {"-m", "pip", "install", "x"}, {"setup.py", "install"}, {"setup.py", "build"},
		{"Makefile.PL"}, {"Build.PL"}, {"extconf.rb"}, {"publish"}, {"package"}, {"compile"}, {"setup", "b"},
		{"-o", "/out/x", "x.c"}, {"-c", "x.c"}, {"x.java"}, {"cf", "x.jar", "."}, {"--build", "/b"}, {"-S", ".", "-B", "/b"},
		{"x"}, {"App::cpanminus"}, {"-DskipTests"}, {"clean", "package"},
	}
	f, err := source.Parse("Dockerfile", []byte("FROM debian:12\nWORKDIR /src\nRUN true\n"))
	if err != nil {
		t.Fatal(err)
	}
	s := f.Stages[0]
	in := s.Instructions[len(s.Instructions)-1]
	for _, name := range names {
		for _, args := range argLists {
			a := &analysis{f: f, stage: s, owners: map[string]string{}, needs: map[string]bool{}}
			st := &state{env: env{}, workdir: "/src", home: "/root"}
			st.env.set("HOME", "/root")
			r := &runCtx{in: in, st: st, env: st.env, cwd: "/src", assigned: map[string]bool{}}
			w := []word{{v: name, ok: true, raw: name}}
			for _, x := range args {
				w = append(w, word{v: x, ok: true, raw: x})
			}
			a.command(r, w)
			if len(a.steps)+len(a.weak) > 0 && !mayStep(w) {
				t.Errorf("%s %v records the step %v%v, but mayStep says it cannot (is %s in stepCommands?)", name, args, a.steps, a.weak, name)
			}
		}
	}
	for name := range stepCommands {
		if !slices.Contains(names, name) && name != "Build" {
			t.Errorf("stepCommands names %s, which command does not switch on", name)
		}
	}
}

// commandCases returns the string cases of the switch on name in
// analysis.command.
func commandCases(t *testing.T) []string {
	t.Helper()
	fset := token.NewFileSet()
	file, err := parser.ParseFile(fset, "commands.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range file.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Name.Name != "command" || fn.Recv == nil {
			continue
		}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			sw, ok := n.(*ast.SwitchStmt)
			if !ok {
				return true
			}
			if id, ok := sw.Tag.(*ast.Ident); !ok || id.Name != "name" {
				return true
			}
			for _, c := range sw.Body.List {
				for _, e := range c.(*ast.CaseClause).List {
					if lit, ok := e.(*ast.BasicLit); ok && lit.Kind == token.STRING {
						v, err := strconv.Unquote(lit.Value)
						if err != nil {
							t.Fatal(err)
						}
						names = append(names, v)
					}
				}
			}
			return false
		})
	}
	if len(names) < 50 {
		t.Fatalf("found %d cases of the switch on name in analysis.command; has it moved?", len(names))
	}
	return names
}

// TestMayBuildCorpus analyses every stage of the corpus files in full and
// checks that a stage with a build step is one mayBuild says may have
// one: mayBuild's no skips no finding.
func TestMayBuildCorpus(t *testing.T) {
	files := transformtest.CorpusFiles(t, *corpusDir)
	table, err := runtimebase.New(nil)
	if err != nil {
		t.Fatal(err)
	}
	var stages, building, skipped int
	for _, file := range files {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		f, err := source.Parse(file, data)
		if err != nil {
			continue
		}
		global := globalEnv(f, nil)
		for i, s := range f.Stages {
			a, err := analyze(context.Background(), f, s, table, global)
			if err != nil {
				t.Fatal(err)
			}
			stages++
			may := mayBuild(s)
			if !may {
				skipped++
			}
			if len(a.steps)+len(a.weak) == 0 {
				continue
			}
			building++
			if !may {
				t.Errorf("%s: stage %d records the steps %v%v, but mayBuild says it has none", file, i, a.steps, a.weak)
			}
		}
	}
	t.Logf("%d stages: %d with a build step, %d that mayBuild rules out", stages, building, skipped)
}
