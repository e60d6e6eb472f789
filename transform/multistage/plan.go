package multistage

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/source"
)

// plan is the rewrite: which stage name the build gets, what the new final
// stage starts from, installs, copies and creates, and which instructions
// it takes over.
type plan struct {
	name      string // the build stage's name
	addName   bool   // the name must be inserted after the base image
	base      string // the runtime base as written in the new FROM
	packages  []string
	artifacts []artifact
	staging   string // the staging directory of staged installs, "" for none
	staged    []*stagedInstall
	links     []dirLink // the runtime base's directory links, made in the staging directory first
	users     []string  // commands that create users, as the final stage runs them
	aptFiles  bool      // copy the build's apt sources and keys before installing
	ldconfig  bool
	frontend  bool
	pathDirs  []string // toolchain image PATH entries holding artifacts

	fromStage *source.Stage // the stage being split

	early  []*source.Instruction // ARG and ENV the package install needs, in order
	placed []*source.Instruction // the other instructions of the new final stage, in order
	moved  map[*source.Instruction]bool
}

// artifact is a path the final stage copies from the build stage.
type artifact struct {
	path  string
	owner string // --chown value, "" for the owner COPY gives
}

// runtimeKeywords are the instructions that describe the image rather than
// build it: they move to the new final stage.
var runtimeKeywords = map[string]bool{
	"CMD": true, "ENTRYPOINT": true, "EXPOSE": true, "VOLUME": true, "LABEL": true,
	"HEALTHCHECK": true, "STOPSIGNAL": true, "MAINTAINER": true, "ONBUILD": true,
}

// settingKeywords set up the environment; the build may need them too.
var settingKeywords = map[string]bool{"ENV": true, "WORKDIR": true, "USER": true, "SHELL": true}

// toolchainCommands only exist where a toolchain is installed.
var toolchainCommands = []string{"go", "gofmt", "cargo", "rustc", "rustup", "gcc", "g++", "cc", "c++", "clang", "make", "cmake", "ninja", "mvn", "gradle", "javac", "jar", "tsc"}

// commandPackages are the build-only packages that provide a command an
// image may run: the final stage then keeps them.
var commandPackages = map[string]string{"npm": "npm", "npx": "npm", "yarn": "yarnpkg", "yarnpkg": "yarnpkg", "git": "git", "pip": "python3-pip", "pip3": "python3-pip", "svn": "subversion", "hg": "mercurial"}

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

// helperRE matches the Python packages a Node build installs for node-gyp.
var helperRE = regexp.MustCompile(`^(?:python3?|python3-minimal|python3\.[0-9]+|python3\.[0-9]+-minimal|python-is-python3|python3-distutils|python3-setuptools)$`)

// makePlan decides the rewrite, or records in a.problems why it would be a
// guess.
func makePlan(a *analysis, o *ruleOptions) *plan {
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
		// the same image, as written (pin keeps or adds its digest), or
		// its slim variant
		p.base = slimVariant(s.Base.Text)
	}
	if !a.hasCmd {
		a.problem("the stage has no CMD or ENTRYPOINT: the image may be meant as a build environment")
	}
	var run []string // build-only packages the image's commands run
	for _, argv := range a.runtimeArgv {
		if needsToolchain(argv) {
			a.problem("the image runs %s, which only the build has", strings.Join(argv[:min(2, len(argv))], " "))
			continue
		}
		if pkg, ok := commandPackages[path.Base(argv[0])]; ok && slices.ContainsFunc(a.installs, func(i *install) bool { return !i.removed && i.name == pkg }) {
			run = appendNew(run, pkg)
		}
	}
	// The build stage's name.
	if s.Name != "" {
		p.name = s.Name
	} else {
		p.name = freeName(a.f)
		p.addName = true
	}
	p.planArtifacts(a)
	p.checkPrograms(a)
	p.users = a.users
	p.ldconfig = a.ldconfig
	p.frontend = a.frontend
	p.planPackages(a, o, run)
	if p.staging != "" {
		// Not a.base, whose variables are expanded with their defaults:
		// a build may set them otherwise (an older release, whose /bin is
		// a directory that a link would replace).
		p.links = stagingLinks(p.base, o)
	}
	if a.toolImage != nil {
		if pth, ok := imageEnv(a.base)["PATH"]; ok {
			for _, dir := range strings.Split(pth, ":") {
				if slices.Contains([]string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}, dir) {
					continue
				}
				for _, x := range p.artifacts {
					if covers(dir, x.path) {
						p.pathDirs = appendNew(p.pathDirs, dir)
					}
				}
			}
		}
	}
	p.placeInstructions(a)
	return p
}

// planArtifacts decides what the final stage copies: the staging
// directory of staged installs, and every other path the build writes.
func (p *plan) planArtifacts(a *analysis) {
	arts := slices.Clone(a.outputs)
	if a.toolImage != nil {
		// A toolchain image keeps its tools under /usr/local (go, cargo,
		// rustup, gcc, python): take only what an install writes.
		name, _ := imageName(a.base)
		var out []string
		for _, x := range arts {
			if x != "/usr/local" {
				out = append(out, x)
				continue
			}
			if name == "gcc" || name == "python" || name == "node" {
				a.problem("make install puts files into /usr/local, where %s keeps its own: they cannot be told apart (an install with DESTDIR can)", a.base)
				continue
			}
			for _, d := range []string{"bin", "etc", "lib", "sbin", "share"} {
				out = append(out, "/usr/local/"+d)
			}
		}
		arts = out
	}
	for _, x := range arts {
		if x == "/" {
			a.problem("the build writes to / (no WORKDIR): its output cannot be named")
		}
		if isWindowsPath(x) {
			a.problem("%s is a Windows path", x)
		}
	}
	// apt's own files are copied before the install, when there is one.
	arts = slices.DeleteFunc(arts, func(x string) bool {
		return covers("/etc/apt", x) || covers("/usr/share/keyrings", x)
	})
	for _, x := range minimal(arts) {
		owner := a.owners[x]
		switch owner {
		case "root", "0", "root:root", "0:0":
			owner = ""
		}
		p.artifacts = append(p.artifacts, artifact{path: x, owner: owner})
	}
	if len(a.staged) > 0 {
		p.staged = a.staged
		p.staging = stagingDir(a.f)
	}
	if len(p.artifacts) == 0 && p.staging == "" {
		a.problem("no build output could be named")
	}
}

// stagingDir picks the staging directory: /staging unless the file uses
// that name.
func stagingDir(f *source.File) string {
	for i := 1; ; i++ {
		d := "/staging"
		if i > 1 {
			d = fmt.Sprintf("/staging%d", i)
		}
		if !strings.Contains(string(f.Data), d) {
			return d
		}
	}
}

// placeInstructions picks the instructions of the new final stage: the
// runtime ones move; ENV, WORKDIR, USER and SHELL move when no build step
// follows them and are copied otherwise; ARGs are copied when what the
// final stage holds uses them. ARG and ENV instructions before the first
// RUN come before the package install, which may need them (a proxy,
// DEBIAN_FRONTEND).
func (p *plan) placeInstructions(a *analysis) {
	ins := a.stage.Instructions
	lastBuild, firstRun := -1, len(ins)
	for i, in := range ins {
		switch in.Keyword {
		case "RUN", "COPY", "ADD":
			lastBuild = i
			if in.Keyword == "RUN" && firstRun == len(ins) {
				firstRun = i
			}
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
	// ARGs used by what is placed, by the commands that create users, and
	// by the ARGs so added: each text is scanned once for the variables it
	// uses.
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
	use := func(text string) {
		for _, m := range varRE.FindAllStringSubmatch(text, -1) {
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
	for _, t := range p.users {
		use(t)
	}
	for len(queue) > 0 {
		in := queue[0]
		queue = queue[1:]
		use(in.Logical)
	}
	// Before the install and the users: ARGs, ENVs before the first RUN,
	// and ENVs the commands that create users read.
	usersVars := map[string]bool{}
	for _, t := range p.users {
		for _, m := range varRE.FindAllStringSubmatch(t, -1) {
			usersVars[m[1]+m[2]] = true
		}
	}
	setsUsersVar := func(in *source.Instruction) bool {
		for n := in.Node.Next; n != nil && n.Next != nil; n = n.Next.Next {
			if usersVars[n.Value] {
				return true
			}
		}
		return false
	}
	for i, in := range ins {
		switch {
		case !placed[in]:
		case in.Keyword == "ARG", in.Keyword == "ENV" && (i < firstRun || setsUsersVar(in)):
			p.early = append(p.early, in)
		default:
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

func appendNew(list []string, s string) []string {
	if slices.Contains(list, s) {
		return list
	}
	return append(list, s)
}

// inPipeline reports whether st is a side of a pipe: a command added after
// it would change what the pipe reads.
func inPipeline(f *syntax.File, st *syntax.Stmt) bool {
	found := false
	syntax.Walk(f, func(n syntax.Node) bool {
		if b, ok := n.(*syntax.BinaryCmd); ok && (b.Op == syntax.Pipe || b.Op == syntax.PipeAll) && (b.X == st || b.Y == st) {
			found = true
		}
		return !found
	})
	return found
}

// debianSlimTag matches the tags of the official debian image that have a
// -slim variant: a release's code name or suite (bookworm, stable, sid),
// its version (12, 12.8), either with a snapshot date (bookworm-20241202).
var debianSlimTag = regexp.MustCompile(`^(?:[a-z]+|[0-9]+(?:\.[0-9]+)?)(?:-[0-9]{8})?$`)

// slimVariant returns the slim variant of an official debian image as
// written (debian:bookworm -> debian:bookworm-slim): the same release and
// packages without documentation, man pages and translations, which
// dpkg then also leaves out of the packages the final stage installs.
// Any other image, a variable, a digest (the slim image has its own) or a
// tag without a slim variant is returned as written.
func slimVariant(written string) string {
	if strings.ContainsAny(written, "$@") {
		return written
	}
	name, tag := imageName(written)
	if name != "debian" || !debianSlimTag.MatchString(tag) {
		return written
	}
	switch tag {
	case "latest", "experimental", "rc-buggy":
		return written
	}
	return written + "-slim"
}
