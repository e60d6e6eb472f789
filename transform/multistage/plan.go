package multistage

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/source"
)

// plan is the rewrite: which stage name the build gets, what the new final
// stage starts from, copies and installs, and which instructions it takes
// over.
type plan struct {
	name      string // the build stage's name
	addName   bool   // the name must be inserted after the base image
	base      string // the runtime base as written in the new FROM
	packages  bool   // the runtime base can install packages (apt)
	artifacts []string
	static    []string // packages installed in the final stage as written
	devs      []string // dropped -dev packages whose libraries may be needed
	commands  []string // commands the runtime runs, to find their packages
	overlay   bool     // copy the unowned programs the runtime runs from system directories
	users     bool
	aptSrc    bool
	pathDirs  []string // toolchain image PATH entries holding artifacts

	fromStage *source.Stage // the stage being split

	placed []*source.Instruction // instructions of the new final stage, in order
	moved  map[*source.Instruction]bool
}

// runtimeKeywords are the instructions that describe the image rather than
// build it: they move to the new final stage.
var runtimeKeywords = map[string]bool{
	"CMD": true, "ENTRYPOINT": true, "EXPOSE": true, "VOLUME": true, "LABEL": true,
	"HEALTHCHECK": true, "STOPSIGNAL": true, "MAINTAINER": true, "ONBUILD": true,
}

// settingKeywords set up the environment; the build may need them too.
var settingKeywords = map[string]bool{"ENV": true, "WORKDIR": true, "USER": true, "SHELL": true}

// toolchainCommands only exist in toolchain images.
var toolchainCommands = []string{"go", "gofmt", "cargo", "rustc", "rustup", "gcc", "g++", "cc", "c++", "make", "cmake", "mvn", "gradle", "javac", "jar"}

// needsToolchain reports whether a runtime command line needs the
// toolchain: a compiler or build tool, or an SDK's run command.
func needsToolchain(argv []string) bool {
	name := path.Base(argv[0])
	if slices.Contains(toolchainCommands, name) {
		return true
	}
	if len(argv) > 1 && name == "dotnet" {
		switch argv[1] {
		case "run", "watch", "build", "test", "publish":
			return true
		}
	}
	return false
}

// makePlan decides the rewrite, or records in a.problems why it would be a
// guess.
func makePlan(a *analysis) *plan {
	p := &plan{moved: map[*source.Instruction]bool{}, fromStage: a.stage}
	s := a.stage
	if s.From.MapErr != nil {
		a.problem("line %d: the FROM line cannot be edited (%v)", s.From.StartLine, s.From.MapErr)
	}
	// The runtime base.
	switch {
	case a.toolImage != nil && a.toolImage.Base == "":
		a.problem("no runtime base is known for %s (add one to the runtime-bases table)", a.base)
	case a.toolImage != nil:
		p.base = a.toolImage.Base
	default:
		p.base = s.Base.Text // the same image, as written: pin keeps or adds its digest
	}
	runtimeFam := a.family
	if a.toolImage != nil {
		runtimeFam = familyOf(p.base)
	}
	switch {
	case p.base == "scratch" || strings.Contains(p.base, "distroless"):
		p.packages = false
	case a.toolImage != nil && a.toolImage.Base == "":
		// reported above
	case a.family != famApt && a.family != "":
		a.problem("dockmend derives run-time packages only on Debian and Ubuntu images (apt); this stage uses %s", a.family)
	case runtimeFam != famApt:
		a.problem("dockmend derives run-time packages only on Debian and Ubuntu images (apt); %s is not one", p.base)
	default:
		p.packages = true
	}
	if !a.hasCmd {
		a.problem("the stage has no CMD or ENTRYPOINT: the image may be meant as a build environment")
	}
	if a.toolImage != nil {
		for _, argv := range a.runtimeArgv {
			if needsToolchain(argv) {
				a.problem("the image runs %s, which only the toolchain image %s has", strings.Join(argv[:min(2, len(argv))], " "), a.base)
			}
		}
	}
	// The build stage's name.
	if s.Name != "" {
		p.name = s.Name
	} else {
		p.name = freeName(a.f)
		p.addName = true
	}
	// Artifacts: what the build writes and what CMD names.
	arts := slices.Clone(a.outputs)
	for _, rp := range a.runtimePaths {
		arts = append(arts, rp)
	}
	if a.users {
		p.users = true
		arts = append(arts, "/home")
	}
	p.aptSrc = a.aptSrc && p.packages
	for _, x := range arts {
		if x == "/" {
			a.problem("the build writes to / (no WORKDIR): its output cannot be named")
		}
	}
	if a.toolImage != nil {
		// A toolchain image keeps its tools under /usr/local (go, cargo,
		// rustup): take only the directories an install writes to.
		var out []string
		for _, x := range arts {
			if x == "/usr/local" {
				for _, d := range []string{"bin", "etc", "lib", "sbin", "share"} {
					out = append(out, "/usr/local/"+d)
				}
				continue
			}
			out = append(out, x)
		}
		arts = out
	}
	p.artifacts = minimal(arts)
	if len(p.artifacts) == 0 {
		a.problem("no build output could be named")
	}
	// Packages the final stage installs.
	for _, i := range a.installs {
		if i.removed || i.fam != famApt {
			continue
		}
		if jre, ok := jreFor(i.name); ok {
			p.static = appendNew(p.static, jre)
			continue
		}
		if buildOnly(i.fam, i.name) {
			if strings.HasSuffix(strings.SplitN(i.name, ":", 2)[0], "-dev") {
				p.devs = appendNew(p.devs, i.name)
			}
			continue
		}
		p.static = appendNew(p.static, i.op)
	}
	for _, c := range a.runtimeCmds {
		if !strings.HasPrefix(c, "/") || !coveredBy(p.artifacts, c) {
			p.commands = appendNew(p.commands, c)
			p.overlay = true // an unowned program in a system directory is copied
		}
	}
	if a.toolImage != nil {
		if pth, ok := imageEnv(a.base)["PATH"]; ok {
			for _, dir := range strings.Split(pth, ":") {
				if slices.Contains([]string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}, dir) {
					continue
				}
				for _, x := range p.artifacts {
					if covers(dir, x) {
						p.pathDirs = appendNew(p.pathDirs, dir)
					}
				}
			}
		}
	}
	p.placeInstructions(a)
	return p
}

// placeInstructions picks the instructions of the new final stage: the
// runtime ones move; ENV, WORKDIR, USER and SHELL move when no build step
// follows them and are copied otherwise; ARGs are copied when what the
// final stage holds uses them.
func (p *plan) placeInstructions(a *analysis) {
	ins := a.stage.Instructions
	lastBuild := -1
	for i, in := range ins {
		switch in.Keyword {
		case "RUN", "COPY", "ADD":
			lastBuild = i
		}
	}
	placed := map[*source.Instruction]bool{}
	for i, in := range ins {
		switch {
		case runtimeKeywords[in.Keyword]:
			placed[in], p.moved[in] = true, true
		case settingKeywords[in.Keyword]:
			placed[in] = true
			p.moved[in] = i > lastBuild
		}
	}
	// ARGs used by what is placed, and by the ARGs so added: each placed
	// instruction is scanned once for the variables it uses.
	declaring := map[string][]*source.Instruction{}
	var queue []*source.Instruction
	for _, in := range ins {
		switch {
		case placed[in]:
			queue = append(queue, in)
		case in.Keyword == "ARG":
			for _, arg := range argsOf(in) {
				declaring[arg.Name] = append(declaring[arg.Name], in)
			}
		}
	}
	used := map[string]bool{}
	for len(queue) > 0 {
		in := queue[0]
		queue = queue[1:]
		for _, m := range varRE.FindAllStringSubmatch(in.Logical, -1) {
			name := m[1] + m[2]
			if used[name] {
				continue
			}
			used[name] = true
			for _, d := range declaring[name] {
				if !placed[d] {
					placed[d] = true
					queue = append(queue, d)
				}
			}
		}
	}
	for _, in := range ins {
		if placed[in] {
			p.placed = append(p.placed, in)
		}
	}
}

var varRE = regexp.MustCompile(`\$(?:\{([A-Za-z_][A-Za-z0-9_]*)|([A-Za-z_][A-Za-z0-9_]*))`)

// freeName picks a stage name no stage, FROM or --from uses.
func freeName(f *source.File) string {
	used := map[string]bool{}
	for _, s := range f.Stages {
		used[s.Name] = true
		used[strings.ToLower(s.Base.Text)] = true
	}
	f.Walk(func(in *source.Instruction) {
		if fl := in.Flag("from"); fl != nil {
			used[strings.ToLower(fl.Value)] = true
		}
	})
	for _, n := range []string{"build", "builder", "build-stage"} {
		if !used[n] {
			return n
		}
	}
	for i := 2; ; i++ {
		if n := fmt.Sprintf("build%d", i); !used[n] {
			return n
		}
	}
}

// minimal drops paths that lie under another path of the list, and sorts.
func minimal(paths []string) []string {
	var out []string
	for _, p := range paths {
		if p == "" {
			continue
		}
		p = path.Clean(p)
		keep := true
		for _, q := range paths {
			q = path.Clean(q)
			if q != p && q != "" && covers(q, p) {
				keep = false
				break
			}
		}
		if keep {
			out = appendNew(out, p)
		}
	}
	slices.Sort(out)
	return out
}

func coveredBy(dirs []string, p string) bool {
	for _, d := range dirs {
		if covers(d, p) {
			return true
		}
	}
	return false
}

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}
