package multistage

import (
	"errors"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/debmeta"
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
	users     []string // commands that create users, as the final stage runs them
	aptFiles  bool     // copy the build's apt sources and keys before installing
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
		p.base = s.Base.Text // the same image, as written: pin keeps or adds its digest
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

// checkPrograms checks that the programs the image runs will be in the
// final stage: copied, from a package, or from the runtime base. A program
// that a script may have installed (./install.sh, curl | sh), or that is
// neither copied nor in a system directory when the runtime base is not
// the build's, cannot be named.
func (p *plan) checkPrograms(a *analysis) {
	paths := strings.Split(defaultPath, ":")
	if pth, ok := imageEnv(a.base)["PATH"]; ok {
		paths = strings.Split(pth, ":")
	}
	copied := func(x string) bool {
		if p.staging != "" {
			return true // what the staged install puts anywhere
		}
		for _, art := range p.artifacts {
			if !strings.Contains(x, "/") {
				for _, dir := range paths {
					if covers(art.path, path.Join(dir, x)) {
						return true
					}
				}
			} else if covers(art.path, x) {
				return true
			}
		}
		return false
	}
	for _, c := range a.runtimeCmds {
		if slices.Contains(toolchainCommands, path.Base(c)) {
			continue // reported as a build tool the image runs
		}
		if a.toolImage != nil && p.base != "" && !copied(c) && !(strings.Contains(c, "/") && !path.IsAbs(c)) {
			// The runtime base has less than the toolchain image: a
			// script may run the toolchain, and a tool the toolchain
			// image has (curl, git) may be missing.
			name := path.Base(c)
			switch {
			case strings.HasSuffix(name, ".sh") || strings.HasSuffix(name, ".bash"):
				if !providesToolchain(p.base, a.base) {
					a.problem("the image runs the script %s, which may run the toolchain that only %s has", c, a.base)
				}
			case !runtimeHas(p.base, name) && !a.knownCommand(name) && !coveredBy(systemDirs, c) || coveredBy(systemDirs, c) && !runtimeHas(p.base, name):
				a.problem("the image runs %s, which %s has but the runtime base %s may not", name, a.base, p.base)
			}
			continue
		}
		switch {
		case !strings.Contains(c, "/"):
			// A name on PATH: copied into a PATH directory, or from a
			// package or the base.
			if !copied(c) && len(a.opaque) > 0 && !a.knownCommand(c) {
				a.problem("cannot tell where %s, which the image runs, comes from: %s may install it", c, list(a.opaque))
			}
		case path.IsAbs(c) && !copied(c):
			switch {
			case len(a.opaque) > 0:
				a.problem("cannot tell where %s, which the image runs, comes from: %s may install it", c, list(a.opaque))
			case a.toolImage != nil && !coveredBy(systemDirs, c):
				a.problem("cannot tell where %s, which the image runs, comes from: the runtime base %s may not have it", c, p.base)
			}
		}
	}
}

// slimCommands are in every Debian image, the slim ones too.
var slimCommands = map[string]bool{
	"sh": true, "bash": true, "dash": true, "env": true, "sleep": true, "cat": true, "echo": true, "true": true, "false": true,
	"test": true, "[": true, "ls": true, "kill": true, "tail": true, "exec": true, "nice": true, "timeout": true, "su": true,
}

// runtimeHas reports whether the runtime base has the command name: a
// command of every Debian image, or the interpreter of its language
// image.
func runtimeHas(base, name string) bool {
	if slimCommands[name] {
		return true
	}
	img, _ := imageName(base)
	switch interpreterOf(name) {
	case "python":
		return img == "python" && name != "gunicorn" && name != "uvicorn"
	case "node":
		return img == "node"
	case "java":
		return name == "java" && (img == "eclipse-temurin" || img == "openjdk" || img == "amazoncorretto")
	}
	return name == "dotnet" && strings.HasPrefix(img, "mcr.microsoft.com/dotnet/")
}

// providesToolchain reports whether the runtime base has the toolchain of
// the build's image (node:20-slim has node and npm).
func providesToolchain(runtime, build string) bool {
	r, _ := imageName(runtime)
	b, _ := imageName(build)
	return r == b && (r == "node" || r == "python")
}

// systemDirs hold what packages install.
var systemDirs = []string{"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/lib", "/lib64", "/usr/lib", "/usr/lib64", "/usr/libexec", "/usr/share", "/etc/alternatives"}

func coveredBy(dirs []string, p string) bool {
	for _, d := range dirs {
		if covers(d, p) {
			return true
		}
	}
	return false
}

// knownCommand reports a program that the image's interpreters, shells
// and packages of the stage provide by name.
func (a *analysis) knownCommand(c string) bool {
	if interpreterOf(c) != "" {
		return true
	}
	switch c {
	case "sh", "bash", "dash", "env", "sleep", "cat", "echo", "tini", "dumb-init":
		return true
	}
	for _, i := range a.installs {
		if !i.removed && i.name == c {
			return true
		}
	}
	return false
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

// planPackages names the packages the final stage installs.
func (p *plan) planPackages(a *analysis, o *ruleOptions, run []string) {
	helpers := a.nodeBuild && a.compilers() && !a.needs["python"]
	q := PackageQuery{Path: a.f.Path, Stage: slices.Index(a.f.Stages, a.stage), Base: p.base, Run: run}
	for _, i := range a.installs {
		// A -dev package removed again still names the libraries the
		// artifacts link to.
		if i.fam != famApt || i.removed && !isDevName(i.name) {
			continue
		}
		q.Installed = append(q.Installed, InstalledPackage{
			Name: i.name, Operand: i.op, BuildOnly: buildOnly(i.fam, i.name), Recommends: i.recommends,
			Helper: helpers && helperRE.MatchString(i.name),
		})
	}
	base := p.base
	if a.toolImage == nil {
		base = a.base // the same image, its variables expanded
	}
	// An interpreter the artifacts need comes from a package when the
	// runtime base is a plain distribution image, or when a package the
	// stage installed brought it in (python3-pip brings python3).
	plain := false
	if name, _ := imageName(base); name == "debian" || name == "ubuntu" || name == "buildpack-deps" {
		plain = true
	}
	for _, n := range []string{"python", "node", "perl", "ruby", "java"} {
		if !a.needs[n] {
			continue
		}
		if plain || slices.ContainsFunc(q.Installed, func(i InstalledPackage) bool { return interpreterFamily[n].MatchString(i.Name) }) {
			q.Needs = append(q.Needs, n)
		}
	}
	if base == "" {
		return
	}
	switch fam := familyOf(base); {
	case a.family == famApk || fam == famApk:
		a.problem("dockmend ships no Alpine package metadata (Alpine's indices cannot be fetched where it is made), so the run-time packages cannot be named")
		return
	case a.family != "" && a.family != famApt:
		a.problem("dockmend names run-time packages only for Debian and Ubuntu images (apt); this stage uses %s", a.family)
		return
	case fam == "":
		// scratch or distroless: nothing can be installed.
		if len(q.Installed) > 0 || len(q.Needs) > 0 {
			q.Releases = releasesOf(base, o)
			if pkgs, err := o.packages.RuntimePackages(q); err != nil || len(pkgs) > 0 {
				a.problem("the runtime base %s has no package manager, and the artifacts may need packages", p.base)
			}
		}
		return
	case fam != famApt:
		a.problem("dockmend names run-time packages only for Debian and Ubuntu images (apt); %s is not one", base)
		return
	}
	q.Releases = releasesOf(base, o)
	q.Staged, q.SameBase = p.staging != "", a.toolImage == nil
	for _, x := range p.artifacts {
		q.Artifacts = append(q.Artifacts, x.path)
	}
	pkgs, err := o.packages.RuntimePackages(q)
	if err != nil {
		a.problem("%v", err)
		if errors.As(err, new(noMetadataError)) {
			a.noMetadata = fmt.Sprint(err)
		}
		return
	}
	p.packages = pkgs
	p.aptFiles = a.aptSrc && len(pkgs) > 0
}

// interpreterFamily matches the Debian packages that bring an interpreter
// along: whoever installed one of them had the interpreter from Debian.
var interpreterFamily = map[string]*regexp.Regexp{
	"python": regexp.MustCompile(`^(?:python3?(?:\.[0-9]+)?(?:-.*)?|cython3|libpython3.*)$`),
	"node":   regexp.MustCompile(`^(?:nodejs|npm|node-.*|yarnpkg|libnode.*)$`),
	"perl":   regexp.MustCompile(`^(?:perl|lib.*-perl|libperl.*|cpanminus)$`),
	"ruby":   regexp.MustCompile(`^(?:ruby.*|bundler|libruby.*)$`),
	"java":   regexp.MustCompile(`^(?:default-jdk.*|default-jre.*|openjdk-.*|maven|gradle|ant|lib.*-java)$`),
}

// debianBased are the official images built on Debian whose tag may leave
// the release out: it is then the current one.
var debianBased = map[string]bool{
	"debian": true, "python": true, "node": true, "golang": true, "rust": true, "gcc": true, "buildpack-deps": true,
	"ruby": true, "perl": true, "php": true, "openjdk": true,
}

// releasesOf returns the possible releases of an image (see
// PackageQuery.Releases).
func releasesOf(ref string, o *ruleOptions) []string {
	if o.releases != nil {
		if m, ok := o.releases.Lookup(ref); ok {
			return []string{m.Base}
		}
	}
	name, tag := imageName(ref)
	if tag == "" && strings.Contains(ref, "@") && o.lockTag != nil {
		// A digest without a tag: the lock file knows which tag it was.
		if tagged, ok := o.lockTag(ref[strings.IndexByte(ref, '@')+1:]); ok {
			if r := releasesOf(tagged, &ruleOptions{releases: o.releases}); len(r) == 1 {
				return r
			}
		}
	}
	switch {
	case name == "ubuntu":
		if r := debmeta.UbuntuRelease(tag, true); r != "" {
			return []string{r}
		}
		return []string{"ubuntu"}
	case name == "eclipse-temurin" || strings.HasPrefix(name, "mcr.microsoft.com/dotnet/"):
		if r := debmeta.UbuntuRelease(tag, false); r != "" {
			return []string{r}
		}
		if r := debmeta.DebianRelease(tag, false); r != "" {
			return []string{r}
		}
		if name == "eclipse-temurin" {
			return []string{"ubuntu"}
		}
		return nil
	}
	if r := debmeta.DebianRelease(tag, name == "debian"); r != "" {
		return []string{r}
	}
	if r := debmeta.UbuntuRelease(tag, false); r != "" {
		return []string{r}
	}
	if debianBased[name] {
		switch tag {
		case "", "latest", "stable", "stable-slim", "slim":
			return debmeta.Releases()
		}
		if name != "debian" {
			return debmeta.Releases()
		}
	}
	return nil
}

var windowsPathRE = regexp.MustCompile(`^/?[A-Za-z]:[\\/]`)

func isWindowsPath(p string) bool { return windowsPathRE.MatchString(p) || strings.Contains(p, `\`) }

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
