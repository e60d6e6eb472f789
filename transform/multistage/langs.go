package multistage

import (
	"path"
	"strings"
)

// make handles make: a build in its directory, and "make install" into
// DESTDIR or the prefix.
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
	for _, k := range []string{"PREFIX", "prefix", "INSTALL_PREFIX"} {
		if p, ok := vars[k]; ok {
			a.outWord(r, p)
			return
		}
	}
	if v, ok := r.env.get("DESTDIR"); ok && v != "" {
		a.outWord(r, word{v: v, ok: true})
		return
	}
	if v, ok := r.env.get("PREFIX"); ok && v != "" {
		a.outWord(r, word{v: v, ok: true})
		return
	}
	a.output(r.in, a.installPrefix())
}

// cmake handles configure (-S/-B, -DCMAKE_INSTALL_PREFIX), --build and
// --install.
func (a *analysis) cmake(r *runCtx, l cmdLine) {
	if l.has("--version", "-E") {
		return
	}
	for _, d := range l.opts["-D"] {
		if k, v, ok := strings.Cut(d.v, "="); ok && strings.HasPrefix(k, "CMAKE_INSTALL_PREFIX") {
			a.prefix = r.path(word{v: v, ok: d.ok})
		}
	}
	a.step("cmake")
	if b, ok := l.value("-B", "--build"); ok {
		a.outWord(r, b)
	} else if !l.has("--install") {
		a.outDir(r, r.cwd) // "cmake .." configures in the working directory
	}
	if _, ok := l.value("--install"); ok {
		if p, ok := l.value("--prefix"); ok {
			a.outWord(r, p)
		} else {
			a.output(r.in, a.installPrefix())
		}
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
	switch sub {
	case "ci", "install", "i", "add", "global":
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
