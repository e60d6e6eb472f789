package source

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

func TestStages(t *testing.T) {
	src := `ARG GO=1.22
FROM --platform=$BUILDPLATFORM golang:${GO} AS Build
RUN go build
FROM alpine:3.19@sha256:0123 as Tools
ONBUILD RUN echo hi
FROM build AS test
COPY --from=TOOLS /x /y
from BUILD
FROM scratch
`
	f := mustParse(t, src)
	type want struct {
		name, base, platform string
		insts                []string // keywords
		children             []int
		final                bool
	}
	wants := []want{
		{"build", "golang:${GO}", "$BUILDPLATFORM", []string{"RUN"}, []int{2, 3}, false},
		{"tools", "alpine:3.19@sha256:0123", "", []string{"ONBUILD"}, nil, false},
		{"test", "build", "", []string{"COPY"}, nil, false},
		{"", "BUILD", "", nil, nil, false},
		{"", "scratch", "", nil, nil, true},
	}
	if len(f.Stages) != len(wants) {
		t.Fatalf("%d stages, want %d", len(f.Stages), len(wants))
	}
	for i, w := range wants {
		s := f.Stages[i]
		var kws []string
		for _, in := range s.Instructions {
			kws = append(kws, in.Keyword)
			if in.Stage != s {
				t.Errorf("stage %d: %s on line %d has Stage %v", i, in.Keyword, in.StartLine, in.Stage)
			}
		}
		var children []int
		for _, c := range s.Children {
			children = append(children, c.Index)
		}
		if s.Index != i || s.Name != w.name || s.Base.Text != w.base || s.Platform != w.platform ||
			!slices.Equal(kws, w.insts) || !slices.Equal(children, w.children) || s.IsFinal() != w.final ||
			s.Reused() != (len(w.children) > 0) {
			t.Errorf("stage %d = {%d %q %q %q %v children %v final %v reused %v}, want %+v",
				i, s.Index, s.Name, s.Base.Text, s.Platform, kws, children, s.IsFinal(), s.Reused(), w)
		}
		if s.From.Stage != s || !s.From.Is("FROM") {
			t.Errorf("stage %d: From is %s with Stage %v", i, s.From.Keyword, s.From.Stage)
		}
		if a, b, ok := s.From.Range(s.Base.Start, s.Base.End); !ok || string(f.Data[a:b]) != w.base {
			t.Errorf("stage %d: base range [%d,%d) ok=%v", i, a, b, ok)
		}
	}
	for _, name := range []string{"build", "BUILD", "Build", "tools", "TEST"} {
		if f.StageByName(name) == nil {
			t.Errorf("StageByName(%q) = nil", name)
		}
	}
	for _, name := range []string{"", "scratch", "alpine", "nosuch"} {
		if s := f.StageByName(name); s != nil {
			t.Errorf("StageByName(%q) = stage %d", name, s.Index)
		}
	}
	if trig := f.Stages[1].Instructions[0].Trigger; trig == nil || trig.Stage != f.Stages[1] {
		t.Errorf("ONBUILD trigger stage = %v, want stage 1", trig)
	}
	if g := f.Instructions[0]; g.Stage != nil {
		t.Errorf("global ARG has Stage %d", g.Stage.Index)
	}
}

func TestArgs(t *testing.T) {
	src := `ARG GO=1.22 BASE="alpine:3.19" \
    EMPTY= NOVAL
ARG SPACED='a b' ESC=a\ b DQ="say \"hi\"" SQ='it''s'
FROM golang:${GO}
ARG GO
ARG   TARGETOS   TARGETARCH=amd64
FROM alpine
ARG LAST="x"
`
	f := mustParse(t, src)
	type arg struct {
		name, value string
		has         bool
		raw         string
	}
	format := func(args []*Arg) []arg {
		var out []arg
		for _, a := range args {
			out = append(out, arg{a.Name, a.Value, a.HasValue, a.Inst.Logical[a.ValueStart:a.ValueEnd]})
		}
		return out
	}
	check := func(what string, got []*Arg, want []arg) {
		t.Helper()
		if g := format(got); !slices.Equal(g, want) {
			t.Errorf("%s:\n got %+v\nwant %+v", what, g, want)
		}
		for _, a := range got {
			if !a.HasValue {
				continue
			}
			if s, e, ok := a.Inst.Range(a.ValueStart, a.ValueEnd); !ok || string(f.Data[s:e]) != a.Inst.Logical[a.ValueStart:a.ValueEnd] {
				t.Errorf("%s: value of %s does not map to its bytes", what, a.Name)
			}
		}
	}
	check("global", f.GlobalArgs, []arg{
		{"GO", "1.22", true, "1.22"},
		{"BASE", "alpine:3.19", true, `"alpine:3.19"`},
		{"EMPTY", "", true, ""},
		{"NOVAL", "", false, ""},
		{"SPACED", "a b", true, "'a b'"},
		{"ESC", "a b", true, `a\ b`},
		{"DQ", `say "hi"`, true, `"say \"hi\""`},
		{"SQ", "its", true, "'it''s'"},
	})
	check("stage 0", f.Stages[0].Args, []arg{
		{"GO", "", false, ""},
		{"TARGETOS", "", false, ""},
		{"TARGETARCH", "amd64", true, "amd64"},
	})
	check("stage 1", f.Stages[1].Args, []arg{{"LAST", "x", true, `"x"`}})
	for _, e := range argErrors(f) {
		t.Error(e)
	}
}

func TestShell(t *testing.T) {
	tests := []struct {
		name  string
		src   string // the last RUN is checked
		shell string
		posix bool
	}{
		{"default", "FROM debian\nRUN x\n", "/bin/sh -c", true},
		{"bash", "FROM debian\nSHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\nRUN x\n", "/bin/bash -o pipefail -c", true},
		{"SHELL after the RUN", "FROM debian\nRUN x\nSHELL [\"pwsh\", \"-c\"]\n", "/bin/sh -c", true},
		{"last SHELL wins", "FROM debian\nSHELL [\"pwsh\", \"-c\"]\nSHELL [\"ash\", \"-c\"]\nRUN x\n", "ash -c", true},
		{"powershell", "FROM debian\nSHELL [\"pwsh\", \"-Command\"]\nRUN x\n", "pwsh -Command", false},
		{"powershell.exe path", "FROM debian\nSHELL [\"C:\\\\Windows\\\\System32\\\\WindowsPowerShell\\\\v1.0\\\\powershell.exe\", \"-Command\"]\nRUN x\n",
			`C:\Windows\System32\WindowsPowerShell\v1.0\powershell.exe -Command`, false},
		{"bash.exe", "FROM debian\nSHELL [\"C:\\\\git\\\\bin\\\\BASH.EXE\", \"-c\"]\nRUN x\n", `C:\git\bin\BASH.EXE -c`, true},
		{"cmd", "FROM debian\nSHELL [\"cmd\", \"/S\", \"/C\"]\nRUN x\n", "cmd /S /C", false},
		{"SHELL in shell form is ignored", "FROM debian\nSHELL pwsh -c\nRUN x\n", "/bin/sh -c", true},
		{"SHELL does not cross stages", "FROM debian AS a\nSHELL [\"pwsh\", \"-c\"]\nFROM debian\nRUN x\n", "/bin/sh -c", true},
		{"a stage built on another keeps its SHELL", "FROM debian AS a\nSHELL [\"pwsh\", \"-c\"]\nFROM A\nRUN x\n", "pwsh -c", false},
		{"the SHELL at the parent's end counts", "FROM debian AS a\nSHELL [\"pwsh\", \"-c\"]\nSHELL [\"bash\", \"-c\"]\nFROM a AS b\nFROM b\nRUN x\n", "bash -c", true},
		{"Windows base image", "FROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN x\n", "cmd /S /C", false},
		{"nanoserver", "FROM mcr.microsoft.com/powershell:nanoserver-1809\nRUN x\n", "cmd /S /C", false},
		{"backtick escape", "# escape=`\nFROM debian\nRUN x\n", "cmd /S /C", false},
		{"Windows base with a POSIX SHELL", "FROM mcr.microsoft.com/windows/servercore:ltsc2019\nSHELL [\"bash\", \"-c\"]\nRUN x\n", "bash -c", true},
		{"busybox", "FROM busybox\nSHELL [\"/bin/busybox\", \"sh\", \"-c\"]\nRUN x\n", "/bin/busybox sh -c", true},
		{"ONBUILD trigger: unknown", "FROM debian\nONBUILD RUN x\n", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			var run *Instruction
			f.Walk(func(in *Instruction) {
				if in.Is("RUN") {
					run = in
				}
			})
			if got := strings.Join(run.Shell(), " "); got != tt.shell {
				t.Errorf("Shell() = %q, want %q", got, tt.shell)
			}
			if run.POSIXShell() != tt.posix {
				t.Errorf("POSIXShell() = %v, want %v", run.POSIXShell(), tt.posix)
			}
		})
	}
}

func TestWindowsStage(t *testing.T) {
	for _, tt := range []struct {
		src     string
		windows bool
	}{
		{"FROM debian:12\n", false},
		{"FROM mcr.microsoft.com/windows/nanoserver:ltsc2022\n", true},
		{"FROM mcr.microsoft.com/dotnet/framework/sdk:4.8-windowsservercore-ltsc2019\n", true},
		{"FROM python:3.12-windowsservercore\n", true},
		{"# escape=`\nFROM debian:12\n", true},
	} {
		f := mustParse(t, tt.src)
		if got := f.Stages[0].Windows(); got != tt.windows {
			t.Errorf("%q: Windows() = %v, want %v", tt.src, got, tt.windows)
		}
	}
}

// ExampleFile_StageByName shows that stage names are case-insensitive.
func ExampleFile_StageByName() {
	f, _ := Parse("Dockerfile", []byte("FROM golang AS Build\nFROM alpine\nCOPY --from=BUILD /app /app\n"))
	s := f.StageByName("build")
	fmt.Println(s.Name, s.Index, f.Stages[1].IsFinal())
	// Output: build 0 true
}
