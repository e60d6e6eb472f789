package multistage

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"path"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/runtimebase"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/toolcache"
)

// analysis is what the rule learns about the final stage, walking its
// instructions in order.
type analysis struct {
	f     *source.File
	stage *source.Stage
	table *runtimebase.Table

	base      string             // the base image, variables expanded; "" when unknown
	toolImage *runtimebase.Match // the table entry when the base is a toolchain image
	family    string             // package family of the final stage's packages

	installs []*install
	steps    []string          // build steps, described ("make", "go build")
	weak     []string          // steps that build only when compilers are present ("pip install")
	outputs  []string          // artifact paths in the order found
	owners   map[string]string // owner (as chown or COPY --chown names it) of an artifact path
	prefix   string            // install prefix set by configure/cmake/meson, "" for the default
	aptSrc   bool              // the stage adds apt sources or keys
	opaque   []string          // commands whose writes dockmend cannot see (scripts)

	// generated reports a configure step (configure, cmake, meson, perl
	// Makefile.PL, ruby extconf.rb): the Makefiles it writes honour
	// DESTDIR, so that installs can be staged.
	generated bool
	staged    []*stagedInstall // installs to run again into the staging directory
	prefixes  []string         // install prefixes of installs that are not staged
	users     []string         // the commands that create users and groups, as copied
	ldconfig  bool             // the build runs ldconfig
	needs     map[string]bool  // interpreters the artifacts need: python, node, perl, ruby, java
	nodeBuild bool             // npm, yarn or pnpm install packages: node-gyp may build with python3
	frontend  bool             // an install sets DEBIAN_FRONTEND=noninteractive

	ris         []runtimeInstr // CMD, ENTRYPOINT and HEALTHCHECK
	runtimeCmds []string       // programs CMD, ENTRYPOINT and HEALTHCHECK run: names or paths
	runtimeArgv [][]string     // their command lines
	hasCmd      bool
	entrypoint  bool // the stage has an ENTRYPOINT: CMD holds its arguments

	problems []string // why a fix would be a guess
	php      bool     // a PHP extension build was reported
	// noMetadata is the problem that the run-time packages cannot be
	// named for lack of package metadata, "" for none: a build of the
	// original could name them.
	noMetadata string
}

// stagedInstall is an install step (make install, cmake --install, ninja
// install, meson install) that the build stage runs a second time with
// DESTDIR, so that the final stage can copy everything it installs,
// wherever it goes.
type stagedInstall struct {
	in      *source.Instruction
	cmd     *shellcmd.Command
	text    string                       // the command as written
	destdir func(cmd, dir string) string // text run again into dir
	makeDir bool                         // make dir first: the install may write nothing there
}

// install is one package installed in the stage.
type install struct {
	fam, name, op string // op: the operand as written, version included
	group         string // apk --virtual name
	run           *source.Instruction
	removed       bool
	recommends    bool // installed with its recommended packages
}

func (a *analysis) problem(format string, args ...any) {
	p := fmt.Sprintf(format, args...)
	if !slices.Contains(a.problems, p) {
		a.problems = append(a.problems, p)
	}
}

func (a *analysis) step(desc string) {
	if !slices.Contains(a.steps, desc) {
		a.steps = append(a.steps, desc)
	}
}

func (a *analysis) weakStep(desc string) {
	if !slices.Contains(a.weak, desc) {
		a.weak = append(a.weak, desc)
	}
}

// output records an artifact path written by in. Paths in caches, temporary
// directories and mounts never reach the image and are skipped.
func (a *analysis) output(in *source.Instruction, p string) {
	if p == "" || !path.IsAbs(p) {
		return
	}
	p = path.Clean(p)
	for _, skip := range notArtifacts {
		if p == skip || strings.HasPrefix(p, skip+"/") { // covers, for clean paths
			return
		}
	}
	if toolcache.Explain(p) != "" {
		return
	}
	if in != nil && in.Is("RUN") {
		for _, m := range mounts(in) {
			if m != "" && covers(m, p) {
				return
			}
		}
	}
	if sharedDirs[p] {
		line := 0
		if in != nil {
			line = in.StartLine
		}
		a.problem("line %d: the build writes into %s as a whole, where its files cannot be told from the system's", line, p)
		return
	}
	if !slices.Contains(a.outputs, p) {
		a.outputs = append(a.outputs, p)
	}
}

// sharedDirs hold the system's files: a build that writes into one of them
// as a whole (an archive extracted there, an install prefix) cannot be
// copied without copying the system too. Files named inside them can.
var sharedDirs = map[string]bool{
	"/": true, "/usr": true, "/bin": true, "/sbin": true, "/lib": true, "/lib64": true, "/etc": true, "/var": true, "/var/lib": true,
	"/usr/bin": true, "/usr/sbin": true, "/usr/lib": true, "/usr/lib64": true, "/usr/libexec": true, "/usr/share": true, "/usr/include": true,
	"/usr/lib/x86_64-linux-gnu": true, "/usr/lib/aarch64-linux-gnu": true,
}

// notArtifacts are the directories (clean paths) whose files never reach
// the image or are not the build's output: temporary files, kernel file
// systems, package manager state. The caches of build tools, in a home
// directory or elsewhere, are toolcache's.
var notArtifacts = []string{"/tmp", "/var/tmp", "/dev", "/proc", "/sys", "/var/cache", "/var/lib/apt", "/etc/apt/apt.conf.d", "/var/lib/dpkg", "/var/log/apt"}

// removeOutputs forgets the artifacts that a later rm deletes.
func (a *analysis) removeOutputs(p string) {
	a.outputs = slices.DeleteFunc(a.outputs, func(o string) bool {
		if strings.ContainsAny(p, "*?[") {
			ok, _ := path.Match(p, o)
			return ok
		}
		return covers(p, o)
	})
}

// covers reports whether p is dir or lies under it.
func covers(dir, p string) bool {
	dir, p = path.Clean(dir), path.Clean(p)
	return dir == p || dir == "/" || strings.HasPrefix(p, dir+"/")
}

// state is what the instructions so far have set.
type state struct {
	env     env
	workdir string // "" when unknown
	home    string
	user    string // the USER as written, "" for root
}

// analyze walks the stage, unless ctx is done; global is what globalEnv
// returns. The caller decides from the result whether the
// stage keeps build tools, and whether a rewrite is safe.
func analyze(ctx context.Context, f *source.File, s *source.Stage, table *runtimebase.Table, global env) (*analysis, error) {
	a := &analysis{f: f, stage: s, table: table, owners: map[string]string{}, needs: map[string]bool{}}
	a.base = baseOf(f, s, global)
	st := &state{env: env{}, workdir: "/", home: "/root"}
	st.env.set("PATH", defaultPath)
	if a.base != "" {
		if m, ok := table.Lookup(a.base); ok {
			a.toolImage = &m
		}
		// what the official image sets, runtime variants included
		// (ruby:3.1-slim sets GEM_HOME)
		for k, v := range imageEnv(a.base) {
			st.env.set(k, v)
		}
	}
	st.env.set("HOME", st.home)
	for _, in := range s.Instructions {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a.instruction(in, st, global)
	}
	a.readRuntime(a.ris)
	a.family = a.detectFamily()
	return a, nil
}

// globalEnv is what the global ARGs set for FROM lines, with the
// --build-arg values in place of their defaults.
func globalEnv(f *source.File, buildArgs map[string]string) env {
	global := env{}
	for _, ga := range f.GlobalArgs {
		if v, ok := buildArgs[ga.Name]; ok {
			global.set(ga.Name, v)
		} else if ga.HasValue {
			if v, ok := expandDockerfile(ga.Value, f.Escape, global); ok {
				global.set(ga.Name, v)
				continue
			}
			global.unset(ga.Name)
		} else {
			global.unset(ga.Name)
		}
	}
	return global
}

// baseOf returns the stage's base image with the global ARGs expanded, or
// "" when it cannot be known.
func baseOf(f *source.File, s *source.Stage, global env) string {
	base, _ := expandDockerfile(s.Base.Text, f.Escape, global)
	return base
}

// mayKeepTools is a cheap first look at a stage: build tools come only from
// a toolchain base image or from a package manager, so a stage with neither
// needs no analysis. Most Dockerfiles take this way out.
func mayKeepTools(f *source.File, s *source.Stage, table *runtimebase.Table, global env) bool {
	if base := baseOf(f, s, global); base != "" {
		if _, ok := table.Lookup(base); ok {
			return true
		}
	}
	for _, in := range s.Instructions {
		if !in.Is("RUN") {
			continue
		}
		if in.JSON {
			var argv []string
			if json.Unmarshal([]byte(in.Args()), &argv) != nil || len(argv) == 0 || packageFamily(argv[0]) != "" {
				return true
			}
			continue
		}
		// Package managers named in the text (Mentions joins a heredoc's
		// continued lines, so it sees every name Commands lists), or a
		// heredoc that uses a variable or a substitution; a RUN the
		// analysis cannot read installs nothing. The other RUNs need no
		// parse.
		managers := shellcmd.Mentions(in, "apt", "apk", "yum", "dnf", "tdnf", "zypper")
		if !managers && (len(in.Heredocs) == 0 || !shellcmd.Mentions(in, "$", "`")) {
			continue
		}
		sc, err := in.Script()
		if err != nil {
			return true // the analysis reports why it cannot read the RUN
		}
		for _, c := range shellcmd.Commands(sc) {
			if !c.Args[0].Literal {
				return true
			}
			fam := packageFamily(c.Args[0].Value)
			if fam == "" {
				continue
			}
			for _, w := range c.Args[1:] {
				if !w.Literal || mayInstallTools(fam, w.Value) {
					return true
				}
			}
		}
	}
	return false
}

// packageFamily returns the package family of a package manager's command
// name, and "" for other commands.
func packageFamily(name string) string {
	switch path.Base(name) {
	case "apt-get", "apt", "aptitude":
		return famApt
	case "apk":
		return famApk
	case "yum", "dnf", "microdnf", "tdnf":
		return famRPM
	case "zypper":
		return famZyp
	}
	return ""
}

// mayInstallTools reports whether an argument of a package manager of
// family fam may install build tools: it names a build-only package, or a
// subcommand that installs a toolchain.
func mayInstallTools(fam, arg string) bool {
	switch {
	case strings.HasPrefix(arg, "-"):
		return false
	case arg == "build-dep", arg == "groupinstall", arg == "group":
		return true
	}
	return buildOnly(fam, packageName(strings.ToLower(arg)))
}

func (a *analysis) instruction(in *source.Instruction, st *state, global env) {
	switch in.Keyword {
	case "ARG":
		for _, arg := range argsOf(in) {
			switch {
			case arg.HasValue:
				if v, ok := expandDockerfile(arg.Value, a.f.Escape, st.env); ok {
					st.env.set(arg.Name, v)
				} else {
					st.env.unset(arg.Name)
				}
			default:
				if v, ok := global.get(arg.Name); ok {
					st.env.set(arg.Name, v)
				} else if _, known := st.env[arg.Name]; !known {
					st.env.unset(arg.Name)
				}
			}
		}
	case "ENV":
		for n := in.Node.Next; n != nil && n.Next != nil; n = n.Next.Next {
			if v, ok := expandDockerfile(n.Next.Value, a.f.Escape, st.env); ok {
				st.env.set(n.Value, v)
			} else {
				st.env.unset(n.Value)
			}
		}
	case "WORKDIR":
		w, ok := expandDockerfile(in.Args(), a.f.Escape, st.env)
		switch {
		case !ok:
			st.workdir = ""
		case path.IsAbs(w):
			st.workdir = path.Clean(w)
		case st.workdir != "":
			st.workdir = path.Join(st.workdir, w)
		}
	case "USER":
		u, ok := expandDockerfile(in.Args(), a.f.Escape, st.env)
		name, _, _ := strings.Cut(u, ":")
		switch {
		case ok && (name == "root" || name == "0"):
			st.home, st.user = "/root", ""
		default:
			st.home, st.user = "", strings.TrimSpace(in.Args())
		}
		if st.home == "" {
			st.env.unset("HOME")
		} else {
			st.env.set("HOME", st.home)
		}
	case "COPY", "ADD":
		a.copyInstr(in, st)
	case "RUN":
		a.run(in, st)
	case "ENTRYPOINT", "CMD":
		a.hasCmd = true
		a.entrypoint = a.entrypoint || in.Is("ENTRYPOINT")
		a.ris = append(a.ris, runtimeInstr{in: in, text: in.Args(), json: in.JSON, env: st.env.clone()})
	case "HEALTHCHECK":
		args := strings.TrimSpace(in.Args())
		if kw, rest, ok := strings.Cut(args, " "); ok && strings.EqualFold(kw, "CMD") {
			rest = strings.TrimSpace(rest)
			var probe []string
			isJSON := strings.HasPrefix(rest, "[") && json.Unmarshal([]byte(rest), &probe) == nil
			a.ris = append(a.ris, runtimeInstr{in: in, text: rest, json: isJSON, env: st.env.clone()})
		}
	case "ONBUILD":
		a.problem("the stage has ONBUILD triggers: it is meant as a base for other builds")
	}
}

// argsOf returns the declarations of the ARG instruction in, which are
// consecutive in its stage's Args (found by binary search: a stage may
// have many).
func argsOf(in *source.Instruction) []*source.Arg {
	args := in.Stage.Args
	i, _ := slices.BinarySearchFunc(args, in.Start, func(a *source.Arg, start int) int {
		return cmp.Compare(a.Inst.Start, start)
	})
	j := i
	for j < len(args) && args[j].Inst == in {
		j++
	}
	return args[i:j:j]
}

// copyInstr records where COPY and ADD put files: those paths go to the
// final stage.
func (a *analysis) copyInstr(in *source.Instruction, st *state) {
	var words []string
	for n := in.Node.Next; n != nil; n = n.Next {
		words = append(words, n.Value)
	}
	if len(words) < 2 {
		return
	}
	srcs, dest := words[:len(words)-1], words[len(words)-1]
	d, ok := expandDockerfile(dest, a.f.Escape, st.env)
	if !ok {
		a.problem("line %d: %s destination %q uses a variable of unknown value", in.StartLine, in.Keyword, dest)
		return
	}
	if !path.IsAbs(d) {
		if st.workdir == "" {
			a.problem("line %d: %s into a relative path under an unknown WORKDIR", in.StartLine, in.Keyword)
			return
		}
		d = path.Join(st.workdir, d)
	}
	d = path.Clean(d)
	if fl := in.Flag("chown"); fl != nil && fl.Value != "" && d != "/" {
		a.owners[d] = fl.Value
	}
	if !sharedDirs[d] {
		a.output(in, d)
		return
	}
	// Files copied into / or a system directory (COPY tool.sh /usr/bin/):
	// name each one, after its source.
	for _, src := range srcs {
		if strings.HasPrefix(src, "<<") {
			continue
		}
		b := path.Base(strings.TrimSuffix(src, "/"))
		if strings.HasSuffix(src, "/") || b == "." || b == "/" || strings.ContainsAny(b, "*?[$") || strings.Contains(src, "://") && b == "" {
			a.problem("line %d: %s %s into %s cannot be named file by file", in.StartLine, in.Keyword, src, d)
			continue
		}
		a.output(in, path.Join(d, b))
	}
}
