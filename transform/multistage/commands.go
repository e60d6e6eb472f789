package multistage

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/shellcmd"
)

// cmdLine is a command's arguments split into options and operands.
type cmdLine struct {
	opts     []option // in order
	operands []word
}

// option is one option of a cmdLine: "-o", "--output", with its value
// ("" when none).
type option struct {
	name string
	v    word
}

// parseLine splits args (without the command name) getopt-style, as
// shellcmd.Getopt does, keeping the words. takesValue lists the options
// whose value may be the next word.
func parseLine(args []word, takesValue ...string) cmdLine {
	var l cmdLine
	// Getopt's word 0 is the command's name.
	line := shellcmd.Getopt(len(args)+1, func(i int) (string, bool) {
		return args[i-1].v, args[i-1].ok
	}, takesValue...)
	if len(line.Options) > 0 {
		l.opts = make([]option, len(line.Options))
	}
	for k, o := range line.Options {
		v := word{v: o.Value, ok: true, raw: o.Value}
		if o.ValueIndex != o.Index {
			v = args[o.ValueIndex-1]
		}
		l.opts[k] = option{o.Name, v}
	}
	if len(line.Operands) > 0 {
		l.operands = make([]word, len(line.Operands))
	}
	for k, i := range line.Operands {
		l.operands[k] = args[i-1]
	}
	return l
}

func (l cmdLine) has(names ...string) bool {
	for _, o := range l.opts {
		if slices.Contains(names, o.name) {
			return true
		}
	}
	return false
}

// values returns the values of the option name, in order.
func (l cmdLine) values(name string) []word {
	var out []word
	for _, o := range l.opts {
		if o.name == name {
			out = append(out, o.v)
		}
	}
	return out
}

// value returns the last value of the named options: of the last name
// given that is set.
func (l cmdLine) value(names ...string) (word, bool) {
	var out word
	found := false
	for _, n := range names {
		for _, o := range l.opts {
			if o.name == n {
				out, found = o.v, true
			}
		}
	}
	return out, found
}

func (l cmdLine) operand(i int) string {
	if i < len(l.operands) && l.operands[i].ok {
		return l.operands[i].v
	}
	return ""
}

var (
	versionedTool = regexp.MustCompile(`^(gcc|g\+\+|clang|clang\+\+|cc|c\+\+|python|python3|pip|pip3)(-?[0-9.]+)?$`)
	npmBuildRE    = regexp.MustCompile(`build|compile|dist|bundle|tsc|prod`)
)

// command interprets one simple command of a RUN. A case that records a
// build step (step, weakStep) has its name in stepCommands.
func (a *analysis) command(r *runCtx, w []word) {
	if len(w) == 0 || !w[0].ok {
		return
	}
	name := commandName(w[0].v)
	args := w[1:]
	switch name {
	case "cd", "pushd":
		switch {
		case len(args) == 0:
			r.cwd, _ = r.env.get("HOME")
		case args[0].v == "-":
			r.cwd = ""
		default:
			r.cwd = r.path(args[0])
		}
	case "apt-get", "apt", "aptitude":
		a.apt(r, parseLine(args, "-o", "-t", "-c"))
	case "apt-mark":
		switch l := parseLine(args); l.operand(0) {
		case "auto":
			r.aptMark = true
		case "manual":
			// Official images build, then mark the packages that ldd finds
			// manual and purge the rest: the run-time packages are
			// decided during the build.
			a.problem("line %d: the build decides which packages stay installed (apt-mark manual), which cannot be named before it runs", r.in.StartLine)
		}
	case "add-apt-repository", "apt-key":
		a.aptSrc = true
	case "dpkg":
		if l := parseLine(args); l.has("-i", "--install") {
			a.problem("line %d: installs a local package file (dpkg -i) that the runtime stage cannot reinstall", r.in.StartLine)
		}
	case "apk":
		a.apk(r, parseLine(args, "-t", "--virtual", "-X", "--repository", "-p", "--root"))
	case "yum", "dnf", "microdnf", "tdnf":
		a.rpm(r, famRPM, parseLine(args, "--setopt", "--enablerepo", "--disablerepo", "-c", "--releasever", "--installroot"))
	case "zypper":
		a.rpm(r, famZyp, parseLine(args, "-r", "--repo"))
	case "useradd", "adduser", "groupadd", "addgroup", "usermod", "groupmod":
		a.userCommand(r)
	case "find":
		a.find(r, args)
	case "xargs":
		a.xargs(r, args)
	case "ldconfig":
		a.ldconfig = true
	case "make", "gmake":
		a.make(r, parseLine(args, "-C", "-f", "-j", "-l", "-I", "-o", "-W"))
	case "configure":
		a.step("configure")
		a.generated = true
		if p, ok := parseLine(args).value("--prefix"); ok {
			a.prefix = r.path(p)
		}
		a.outDir(r, r.cwd)
	case "autoreconf", "autogen.sh", "bootstrap":
		a.step(name)
	case "phpize", "phpenmod", "php-config", "docker-php-ext-install", "docker-php-ext-enable", "pecl":
		// A PHP extension installs into PHP's extension directory by
		// INSTALL_ROOT, not DESTDIR, and is enabled by links under
		// /etc/php that the build makes: not named here.
		a.step(name)
		if !a.php {
			a.php = true
			a.problem("line %d: %s builds or enables a PHP extension, which dockmend cannot yet name for the final stage", r.in.StartLine, name)
		}
	case "dpkg-buildpackage", "debuild":
		a.step(name)
		a.outDir(r, r.cwd)
	case "cmake":
		a.cmake(r, parseLine(args, "-S", "-B", "--build", "--install", "--prefix", "--config", "-G", "-j", "--parallel", "-C", "--target", "-t", "-D", "--component"))
	case "ninja", "samu":
		l := parseLine(args, "-C", "-j", "-f", "-t")
		a.step("ninja")
		dir := r.cwd
		if c, ok := l.value("-C"); ok {
			dir = r.path(c)
		}
		a.outDir(r, dir)
		if slices.ContainsFunc(l.operands, func(o word) bool { return o.v == "install" }) {
			a.stageInstall(r, "ninja install", envDestdir)
		}
	case "meson":
		l := parseLine(args, "-C", "--prefix", "--destdir", "-D", "--tags")
		switch l.operand(0) {
		case "setup", "configure":
			a.generated = true
			if p, ok := l.value("--prefix"); ok {
				a.prefix = r.path(p)
			}
		case "compile":
			a.step("meson compile")
		case "install":
			a.step("meson install")
			if d, ok := l.value("--destdir"); ok {
				a.outWord(r, d)
			} else {
				a.stageInstall(r, "meson install", mesonDestdir)
			}
		}
		a.outDir(r, r.cwd)
	case "gcc", "g++", "cc", "c++", "clang", "clang++", "rustc", "javac", "tcc", "gfortran", "ocamlopt", "ocamlc", "ocamlopt.opt", "ocamlc.opt":
		l := parseLine(args, "-o", "-d", "-I", "-L", "-l", "-x", "-D", "-U", "--out-dir", "-cp", "-classpath", "--class-path", "-sourcepath", "-target", "-source", "--release", "-package", "-pp", "-ppx", "-cclib", "-ccopt")
		if len(args) == 0 || l.has("--version", "-v", "-version", "-vnum", "-where", "-dumpversion", "-dumpmachine", "-E", "-print-file-name") {
			return
		}
		a.step(name)
		if name == "javac" {
			a.needs["java"] = true
		}
		out, ok := l.value("-o", "-d", "--out-dir")
		switch {
		case ok && r.path(out) != "":
			a.outWord(r, out)
		case ok:
			a.problem("line %d: cannot tell where %s writes (%s)", r.in.StartLine, name, out.raw)
		default:
			a.outDir(r, r.cwd)
		}
	case "jar":
		a.step("jar")
		a.needs["java"] = true
		l := parseLine(args, "-f", "--file", "-e", "--main-class", "-C", "-m", "--manifest")
		if f, ok := l.value("-f", "--file"); ok && f.v != "" {
			a.outWord(r, f)
		} else if op := l.operand(0); strings.Contains(op, "f") && !strings.HasPrefix(op, "-") && len(l.operands) > 1 {
			a.outWord(r, l.operands[1])
		}
		a.outDir(r, r.cwd)
	case "go":
		a.goCmd(r, args)
	case "cargo":
		a.cargo(r, args)
	case "dune":
		a.dune(r, args)
	case "ocamlfind":
		// ocamlfind ocamlopt -package yojson -linkpkg main.ml -o main
		if len(args) > 0 && args[0].ok && strings.HasPrefix(args[0].v, "ocaml") {
			a.command(r, args)
		}
	case "mvn", "mvnw", "gradle", "gradlew", "ant", "sbt", "lein":
		l := parseLine(args, "-f", "--file", "-s", "-P", "-p", "--project-dir", "-D", "-pl", "-b", "--build-file")
		if len(l.operands) == 0 && !strings.HasPrefix(name, "ant") {
			return // --version, help
		}
		for _, o := range l.operands {
			switch o.v {
			case "dependency:go-offline", "dependency:resolve", "dependencies", "--version", "help", "clean":
				continue
			}
			a.step(strings.TrimSuffix(name, "w"))
			a.needs["java"] = true
			break
		}
		dir := r.cwd
		if f, ok := l.value("-f", "--file", "-p", "--project-dir"); ok {
			dir = r.path(f)
			if strings.HasSuffix(dir, ".xml") || strings.HasSuffix(dir, ".gradle") || strings.HasSuffix(dir, ".kts") {
				dir = path.Dir(dir)
			}
		}
		a.outDir(r, dir)
	case "npm", "pnpm", "yarn", "bun":
		a.node(r, name, args)
	case "tsc", "webpack", "vite", "ng", "next", "nest", "esbuild", "rollup", "parcel", "npx":
		if name == "npx" && len(args) == 0 {
			return
		}
		a.step(name)
		a.needs["node"] = true
		a.outDir(r, r.cwd)
	case "pip", "pip3":
		a.pip(r, w[0], args)
	case "python", "python3", "pypy3":
		a.python(r, args)
	case "perl":
		a.perl(r, args)
	case "ruby":
		if len(args) > 0 && path.Base(args[0].v) == "extconf.rb" {
			a.generated = true
			a.needs["ruby"] = true
			a.outDir(r, r.cwd)
		}
	case "gem", "bundle", "bundler":
		a.gem(r, name, args)
	case "cpanm", "cpan":
		a.cpan(r, name, args)
	case "virtualenv":
		if op := parseLine(args, "-p", "--python").operand(0); op != "" {
			a.needs["python"] = true
			a.outWord(r, word{v: op, ok: true})
		}
	case "uv":
		a.uv(r, args)
	case "poetry", "pipenv":
		a.poetry(r, name, args)
	case "dotnet":
		l := parseLine(args, "-o", "--output", "-c", "--configuration", "-r", "--runtime", "-f", "--framework", "-p", "--property")
		switch l.operand(0) {
		case "publish", "build":
			a.step("dotnet " + l.operand(0))
			if o, ok := l.value("-o", "--output"); ok {
				a.outWord(r, o)
			} else {
				a.outDir(r, r.cwd)
			}
		}
	default:
		if name == "Build" && len(args) > 0 && args[0].v == "install" {
			a.step("./Build install")
			a.stageInstall(r, "./Build install", makeDestdir("--destdir"))
			return
		}
		a.fileCommand(r, name, args)
		if strings.HasPrefix(w[0].v, "./") || strings.HasSuffix(name, ".sh") || (name == "sh" || name == "bash") && len(args) > 0 && !strings.HasPrefix(args[0].v, "-") {
			a.opaque = appendNew(a.opaque, name)
			a.outDir(r, r.cwd)
		}
	}
}

// find reads the commands find runs with -exec and -execdir ("find . -name
// '*.deb' -exec dpkg -i {} +"): the paths it finds are not known.
func (a *analysis) find(r *runCtx, args []word) {
	for i := 0; i < len(args); i++ {
		if !args[i].ok || args[i].v != "-exec" && args[i].v != "-execdir" && args[i].v != "-ok" {
			continue
		}
		j := i + 1
		for j < len(args) && !(args[j].ok && (args[j].v == ";" || args[j].v == "+")) {
			j++
		}
		a.inner(r, args[i+1:j])
		i = j
	}
}

// xargs reads the command xargs runs; its further arguments are not known.
func (a *analysis) xargs(r *runCtx, args []word) {
	// xargs' own options end at the first word that is not one: the
	// command and its options follow.
	takesValue := map[string]bool{"-a": true, "-d": true, "-E": true, "-I": true, "-L": true, "-n": true, "-P": true, "-s": true}
	for i := 0; i < len(args); i++ {
		w := args[i]
		switch {
		case !w.ok:
			return
		case w.v == "--":
			a.inner(r, args[i+1:])
			return
		case !strings.HasPrefix(w.v, "-") || w.v == "-":
			a.inner(r, args[i:])
			return
		case takesValue[w.v]:
			i++ // the value is the next word
		}
	}
}

// inner interprets a command another command runs: it cannot be edited,
// and "{}" stands for paths that are not known.
func (a *analysis) inner(r *runCtx, w []word) {
	if len(w) == 0 {
		return
	}
	words := make([]word, len(w))
	for i, x := range w {
		if x.ok && strings.Contains(x.v, "{}") {
			x = word{raw: x.raw}
		}
		words[i] = x
	}
	saved := r.cmd
	r.cmd = nil
	a.command(r, words)
	r.cmd = saved
}

// userCommand records a command that creates users or groups: the final
// stage runs it again, as written, so that the image has the same users
// (copying /etc/passwd and /etc/shadow would copy the build's own).
func (a *analysis) userCommand(r *runCtx) {
	if r.script == nil || r.cmd == nil {
		a.problem("line %d: cannot copy the command that creates users", r.in.StartLine)
		return
	}
	c := r.cmd
	s := r.script
	start, end := int(c.Args[0].Node.Pos().Offset()), int(c.Call.End().Offset())
	text := s.Text[start:end]
	// The text may use ARG and ENV values (the final stage declares them
	// too), not variables the RUN sets.
	var local []string
	for _, w := range c.Args {
		syntax.Walk(w.Node, func(n syntax.Node) bool {
			switch x := n.(type) {
			case *syntax.ParamExp:
				if x.Param != nil && (r.assigned[x.Param.Value] || !r.st.env.declared(x.Param.Value)) {
					local = append(local, x.Param.Value)
				}
			case *syntax.CmdSubst:
				local = append(local, "$(...)")
			}
			return true
		})
	}
	if len(local) > 0 || strings.ContainsAny(text, "\n") {
		a.problem("line %d: cannot copy the command that creates users (it uses %s)", r.in.StartLine, strings.Join(local, ", "))
		return
	}
	a.users = appendNew(a.users, text)
}

// installPrefix is where "make install" and friends put files.
func (a *analysis) installPrefix() string {
	if a.prefix != "" {
		return a.prefix
	}
	return "/usr/local"
}
