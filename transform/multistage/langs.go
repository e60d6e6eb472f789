package multistage

import (
	"path"
	"strings"
)

// make handles make: a build in its directory, and "make install" into
// DESTDIR, or staged (a generated Makefile), or staged and into the prefix
// (a hand-written one).
func (a *analysis) make(r *runCtx, l cmdLine) {
	if l.has("--version", "-v", "-n", "--dry-run", "-q") {
		return
	}
	dir := r.cwd
	if c, ok := l.value("-C"); ok {
		dir = r.path(c)
	}
	a.step("make")
	if dir == "" {
		a.problem("line %d: cannot tell which directory make builds in", r.in.StartLine)
		return
	}
	if dir == "/" {
		a.problem("line %d: make builds in / (no WORKDIR)", r.in.StartLine)
		return
	}
	a.outDir(r, dir)
	vars := map[string]word{}
	install := false
	for _, op := range l.operands {
		if k, v, ok := strings.Cut(op.v, "="); ok && op.ok {
			vars[k] = word{v: v, ok: true}
		} else if strings.Contains(op.v, "install") { // install, install-strip, suidinstall
			install = true
		}
	}
	if !install {
		return
	}
	if d, ok := vars["DESTDIR"]; ok {
		a.outWord(r, d)
		return
	}
	if v, ok := r.env.get("DESTDIR"); ok && v != "" {
		a.outWord(r, word{v: v, ok: true})
		return
	}
	if a.generated {
		// configure, cmake or meson wrote the Makefile: it honours
		// DESTDIR, which catches what goes outside the prefix (/etc).
		a.stageInstall(r, "make install", argDestdir)
		return
	}
	// A hand-written Makefile may or may not honour DESTDIR: stage the
	// install into a staging directory made beforehand, which catches what
	// goes outside the prefix (/etc) when it does, and copy the prefix
	// too, which catches the rest when it does not.
	if si := a.stageInstall(r, "make install", argDestdir); si != nil {
		// The staging directory must exist for the final stage's COPY
		// even when the Makefile ignores DESTDIR.
		si.makeDir = true
	}
	prefix := ""
	for _, k := range []string{"PREFIX", "prefix", "INSTALL_PREFIX"} {
		if p, ok := vars[k]; ok {
			prefix = r.path(p)
			if prefix == "" {
				a.outWord(r, p)
				return
			}
			break
		}
	}
	if v, ok := r.env.get("PREFIX"); ok && v != "" && prefix == "" {
		prefix = r.path(word{v: v, ok: true})
	}
	if prefix == "" {
		prefix = a.installPrefix()
	}
	a.prefixes = appendNew(a.prefixes, prefix)
	a.output(r.in, prefix)
}

// Ways to run an install again into a staging directory.
var (
	argDestdir   = func(cmd, dir string) string { return cmd + " DESTDIR=" + dir }
	envDestdir   = func(cmd, dir string) string { return "DESTDIR=" + dir + " " + cmd }
	mesonDestdir = func(cmd, dir string) string { return cmd + " --destdir " + dir }
)

func makeDestdir(flag string) func(cmd, dir string) string {
	return func(cmd, dir string) string { return cmd + " " + flag + " " + dir }
}

// stageInstall records an install step to run again into the staging directory,
// right after itself: the final stage then copies the staging directory
// to /, which brings everything it installs, inside its prefix or not.
// It returns nil when the install is not run again.
func (a *analysis) stageInstall(r *runCtx, desc string, destdir func(cmd, dir string) string) *stagedInstall {
	if v, ok := r.env.get("DESTDIR"); ok && v != "" {
		a.outWord(r, word{v: v, ok: true})
		return nil
	}
	switch {
	case r.st.user != "":
		// The staging directory is made at /, where only root may.
		a.problem("line %d: cannot stage what %s installs: it runs as USER %s, who may not make %s", r.in.StartLine, desc, r.st.user, "/staging")
		return nil
	case r.cmd == nil:
		a.problem("line %d: cannot run %s again to stage what it installs (exec form, or run by find or xargs)", r.in.StartLine, desc)
		return nil
	case !r.cmd.Editable():
		a.problem("line %d: cannot run %s again to stage what it installs: %s", r.in.StartLine, desc, r.cmd.NotEditable())
		return nil
	case r.cmd.Stmt == nil || r.cmd.Stmt.Background || r.cmd.Stmt.Negated || inPipeline(r.script.File, r.cmd.Stmt):
		a.problem("line %d: cannot run %s again to stage what it installs: it runs in a pipeline or in the background", r.in.StartLine, desc)
		return nil
	}
	text := r.script.Text[r.cmd.Call.Pos().Offset():r.cmd.Call.End().Offset()]
	if strings.Contains(text, "\n") {
		a.problem("line %d: cannot run %s again to stage what it installs (it spans lines)", r.in.StartLine, desc)
		return nil
	}
	si := &stagedInstall{in: r.in, cmd: r.cmd, text: text, destdir: destdir}
	a.staged = append(a.staged, si)
	return si
}

// cmake handles configure (-S/-B, -DCMAKE_INSTALL_PREFIX), --build and
// --install.
func (a *analysis) cmake(r *runCtx, l cmdLine) {
	if l.has("--version", "-E") {
		return
	}
	for _, d := range l.values("-D") {
		if k, v, ok := strings.Cut(d.v, "="); ok && strings.HasPrefix(k, "CMAKE_INSTALL_PREFIX") {
			a.prefix = r.path(word{v: v, ok: d.ok})
		}
	}
	a.step("cmake")
	_, build := l.value("--build")
	_, install := l.value("--install")
	if !build && !install {
		a.generated = true // configure
	}
	if b, ok := l.value("-B", "--build"); ok {
		a.outWord(r, b)
	} else if !install {
		a.outDir(r, r.cwd) // "cmake .." configures in the working directory
	}
	target, _ := l.value("--target", "-t")
	if install || build && target.v == "install" {
		a.stageInstall(r, "cmake --install", envDestdir)
	}
}

// goCmd handles go build and go install.
func (a *analysis) goCmd(r *runCtx, args []word) {
	l := parseLine(args, "-o", "-C", "-ldflags", "-gcflags", "-tags", "-p", "-mod", "-modfile", "-buildmode", "-pkgdir", "-toolexec", "-overlay", "-pgo", "-asmflags", "-installsuffix", "-compiler", "-gccgoflags")
	dir := r.cwd
	if c, ok := l.value("-C"); ok {
		dir = r.path(c)
	}
	switch l.operand(0) {
	case "build":
		a.step("go build")
		if o, ok := l.value("-o"); ok {
			if p := (&runCtx{cwd: dir}).path(o); p != "" {
				a.output(r.in, p)
			} else {
				a.problem("line %d: cannot tell where go build -o %s writes", r.in.StartLine, o.raw)
			}
			return
		}
		a.outDir(r, dir)
	case "install":
		a.step("go install")
		if b, ok := r.env.get("GOBIN"); ok && b != "" {
			a.output(r.in, b)
			return
		}
		gopath, ok := r.env.get("GOPATH")
		if !ok || gopath == "" {
			home, hok := r.env.get("HOME")
			if !hok {
				a.problem("line %d: cannot tell where go install writes (HOME unknown)", r.in.StartLine)
				return
			}
			gopath = path.Join(home, "go")
		}
		first, _, _ := strings.Cut(gopath, ":")
		a.output(r.in, path.Join(first, "bin"))
	}
}

// dune handles OCaml's build system. "dune build", "exec", "runtest" and
// "test" build in the project (its _build directory, below the root);
// "dune install" copies what the build made into the prefix (--prefix,
// or the compiler's), and is staged like make install: run again with
// --destdir, which dune prepends to every path it installs.
func (a *analysis) dune(r *runCtx, args []word) {
	l := parseLine(args, "--root", "--build-dir", "-p", "--only-packages", "--profile", "--context", "-x",
		"--prefix", "--destdir", "--libdir", "--mandir", "--docdir", "--etcdir", "--bindir", "--sbindir", "--datadir", "--sections",
		"-j", "--display", "--workspace", "--default-target", "--instrument-with")
	sub := l.operand(0)
	switch sub {
	case "build", "exec", "runtest", "test", "install":
	default:
		return // init, clean, describe, utop, --version
	}
	if l.has("--help", "--version") {
		return
	}
	dir := r.cwd
	if d, ok := l.value("--root"); ok {
		dir = r.path(d)
	}
	a.step("dune " + sub)
	if dir == "" || dir == "/" {
		a.problem("line %d: cannot tell which directory dune builds in", r.in.StartLine)
		return
	}
	a.outDir(r, dir)
	if sub != "install" {
		return
	}
	if d, ok := l.value("--destdir"); ok {
		a.outWord(r, d)
		return
	}
	a.stageInstall(r, "dune install", makeDestdir("--destdir"))
}

// cargo handles cargo build and cargo install.
func (a *analysis) cargo(r *runCtx, args []word) {
	l := parseLine(args, "--root", "--target-dir", "--manifest-path", "--bin", "-p", "--package", "--path", "--features", "-F", "--target", "-j", "--profile", "--git", "--branch", "--tag", "--rev", "--version", "--config", "-Z")
	switch l.operand(0) {
	case "build", "b":
		a.step("cargo build")
		if d, ok := l.value("--target-dir"); ok {
			a.outWord(r, d)
		} else if v, ok := r.env.get("CARGO_TARGET_DIR"); ok && v != "" {
			a.outWord(r, word{v: v, ok: true})
		}
		a.outDir(r, r.cwd)
	case "install":
		a.step("cargo install")
		root := ""
		if v, ok := l.value("--root"); ok {
			root = r.path(v)
		} else if v, ok := r.env.get("CARGO_INSTALL_ROOT"); ok && v != "" {
			root = v
		} else if v, ok := r.env.get("CARGO_HOME"); ok && v != "" {
			root = v
		} else if home, ok := r.env.get("HOME"); ok {
			root = path.Join(home, ".cargo")
		}
		if root == "" {
			a.problem("line %d: cannot tell where cargo install writes", r.in.StartLine)
			return
		}
		a.output(r.in, path.Join(root, "bin"))
	}
}

// node handles npm, pnpm, yarn and bun.
func (a *analysis) node(r *runCtx, name string, args []word) {
	l := parseLine(args, "--prefix", "-C", "--cwd", "--dir", "-w", "--workspace", "--filter")
	dir := r.cwd
	if p, ok := l.value("--prefix", "-C", "--cwd", "--dir"); ok {
		dir = r.path(p)
	}
	sub := l.operand(0)
	global := l.has("-g", "--global") || sub == "global"
	a.needs["node"] = true
	switch sub {
	case "ci", "install", "i", "add", "global":
		a.nodeBuild = true
		if global {
			a.step(name + " install -g")
			a.output(r.in, "/usr/local/lib/node_modules")
			a.output(r.in, "/usr/local/bin")
			return
		}
		a.weakStep(name + " " + sub)
		a.nodeModules(r, dir)
	case "":
		if (name == "yarn" || name == "pnpm" || name == "bun") && len(l.opts) == 0 {
			a.weakStep(name + " install")
			a.nodeModules(r, dir)
		}
	case "run", "run-script", "exec":
		script := l.operand(1)
		if npmBuildRE.MatchString(script) {
			a.step(name + " run " + script)
		}
		a.outDir(r, dir)
	case "prune", "cache", "config", "set", "audit", "--version", "version", "help":
	default:
		if npmBuildRE.MatchString(sub) {
			a.step(name + " " + sub)
		}
		a.outDir(r, dir)
	}
}

// nodeModules records what a package install writes in dir.
func (a *analysis) nodeModules(r *runCtx, dir string) {
	if dir == "" {
		a.outDir(r, dir)
		return
	}
	a.output(r.in, path.Join(dir, "node_modules"))
}
