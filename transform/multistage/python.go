package multistage

import (
	"path"
	"regexp"
	"slices"
	"strings"
)

// pip handles pip install and pip wheel.
func (a *analysis) pip(r *runCtx, cmd word, args []word) {
	l := parseLine(args, "-r", "--requirement", "-c", "--constraint", "-t", "--target", "--prefix", "--root", "-w", "--wheel-dir", "-i", "--index-url", "--extra-index-url", "-f", "--find-links", "-e", "--editable", "--src", "--python", "--cache-dir", "--no-binary", "--only-binary", "--platform", "--python-version", "--implementation", "--abi", "--progress-bar", "--log", "--timeout", "--retries", "--trusted-host", "-C", "--config-settings")
	switch l.operand(0) {
	case "install":
		a.needs["python"] = true
		local := slices.ContainsFunc(l.operands[1:], func(o word) bool {
			return o.ok && (o.v == "." || strings.HasPrefix(o.v, "./") || strings.HasPrefix(o.v, "/"))
		}) || l.has("-e", "--editable")
		if local {
			a.step("pip install .")
			a.outDir(r, r.cwd) // an editable install stays in its directory
		} else {
			a.weakStep("pip install")
		}
		switch {
		case l.has("-t", "--target"):
			v, _ := l.value("-t", "--target")
			a.outWord(r, v)
		case l.has("--prefix"):
			v, _ := l.value("--prefix")
			a.outWord(r, v)
		case l.has("--root"):
			v, _ := l.value("--root")
			a.outWord(r, v)
		case l.has("--user"):
			if home, ok := r.env.get("HOME"); ok {
				a.output(r.in, path.Join(home, ".local"))
			} else {
				a.problem("line %d: cannot tell where pip install --user writes (HOME unknown)", r.in.StartLine)
			}
		default:
			for _, d := range a.pythonEnv(r, cmd) {
				a.output(r.in, d)
			}
		}
	case "wheel":
		a.needs["python"] = true
		a.weakStep("pip wheel")
		if v, ok := l.value("-w", "--wheel-dir"); ok {
			a.outWord(r, v)
		} else {
			a.outDir(r, r.cwd)
		}
	}
}

// pythonEnv is where a plain "pip install" puts packages: the virtualenv
// the pip command belongs to or that PATH or VIRTUAL_ENV activates, or
// the system's site-packages under /usr/local and its scripts.
func (a *analysis) pythonEnv(r *runCtx, cmd word) []string {
	if cmd.ok && strings.Contains(cmd.v, "/bin/") {
		if p := r.path(cmd); p != "" {
			return []string{path.Dir(path.Dir(p))}
		}
	}
	if v, ok := r.env.get("VIRTUAL_ENV"); ok && v != "" {
		return []string{v}
	}
	if p, ok := r.env.get("PATH"); ok {
		for _, dir := range strings.Split(p, ":") {
			if root := path.Dir(dir); path.Base(dir) == "bin" && slices.Contains(a.outputs, root) && !strings.HasPrefix(root, "/usr") {
				return []string{root} // a virtualenv created earlier, activated through PATH
			}
		}
	}
	if !a.knownEnv() {
		// The base image may put a virtualenv first on PATH: pip then
		// installs into it, not into the system's site-packages.
		a.problem("line %d: pip installs where the base image %s's environment says (a virtualenv on its PATH?), which dockmend cannot see", r.in.StartLine, a.baseName())
		return nil
	}
	return a.systemSitePackages()
}

// debianPython is the python3 version of Debian and Ubuntu releases.
var debianPython = map[string]string{
	"buster": "3.7", "bullseye": "3.9", "bookworm": "3.11", "trixie": "3.13",
	"10": "3.7", "11": "3.9", "12": "3.11", "13": "3.13",
	"focal": "3.8", "jammy": "3.10", "noble": "3.12", "20.04": "3.8", "22.04": "3.10", "24.04": "3.12",
}

var pythonTagRE = regexp.MustCompile(`^(3\.[0-9]+)`)

// systemSitePackages is where pip installs outside a virtualenv: the
// scripts in /usr/local/bin and the packages in /usr/local/lib/pythonX.Y:
// site-packages on the official python images, dist-packages where the
// python of an image with the same name comes from Debian, so the version
// directory, which holds both; dist-packages with Debian's python3. When
// the version is unknown, /usr/local/lib.
func (a *analysis) systemSitePackages() []string {
	repo, tag := imageName(a.base)
	switch {
	case repo == "python":
		if m := pythonTagRE.FindString(tag); m != "" {
			return []string{"/usr/local/bin", "/usr/local/lib/python" + m}
		}
	case repo == "debian" || repo == "ubuntu":
		for i, part := range strings.Split(tag, "-") {
			if i == 0 && repo == "debian" {
				part, _, _ = strings.Cut(part, ".") // 12.5
			}
			if v, ok := debianPython[part]; ok {
				return []string{"/usr/local/bin", "/usr/local/lib/python" + v + "/dist-packages"}
			}
		}
	}
	return []string{"/usr/local/bin", "/usr/local/lib"}
}

// imageName splits a reference into its Docker Hub short name (or full
// name elsewhere) and tag.
func imageName(ref string) (name, tag string) {
	ref, _, _ = strings.Cut(ref, "@")
	name = ref
	if i := strings.LastIndexByte(ref, ':'); i >= 0 && !strings.Contains(ref[i:], "/") {
		name, tag = ref[:i], ref[i+1:]
	}
	name = strings.TrimPrefix(strings.TrimPrefix(name, "docker.io/"), "library/")
	return name, tag
}

// python handles python -m pip / venv / build and setup.py.
func (a *analysis) python(r *runCtx, args []word) {
	if len(args) >= 2 && args[0].v == "-m" {
		switch args[1].v {
		case "pip":
			a.pip(r, word{v: "pip", ok: true}, args[2:])
		case "venv", "virtualenv":
			a.needs["python"] = true
			if op := parseLine(args[2:], "--prompt").operand(0); op != "" {
				a.outWord(r, word{v: op, ok: true})
			}
		case "build":
			a.step("python -m build")
			a.outDir(r, r.cwd)
		}
		return
	}
	if len(args) >= 2 && path.Base(args[0].v) == "setup.py" {
		switch args[1].v {
		case "build", "build_ext", "bdist_wheel", "bdist", "sdist", "develop":
			a.step("setup.py " + args[1].v)
			a.outDir(r, r.cwd)
		case "install":
			a.needs["python"] = true
			a.step("setup.py install")
			a.outDir(r, r.cwd)
			for _, d := range a.systemSitePackages() {
				a.output(r.in, d)
			}
		}
	}
}

// uv handles uv venv and uv pip install.
func (a *analysis) uv(r *runCtx, args []word) {
	l := parseLine(args, "-p", "--python", "--target", "--prefix")
	switch l.operand(0) {
	case "venv":
		a.needs["python"] = true
		dir := l.operand(1)
		if dir == "" {
			dir = ".venv"
		}
		a.outWord(r, word{v: dir, ok: true})
	case "pip":
		if l.operand(1) == "install" {
			a.needs["python"] = true
			a.weakStep("uv pip install")
			for _, d := range a.pythonEnv(r, word{}) {
				a.output(r.in, d)
			}
		}
	case "sync":
		a.needs["python"] = true
		a.weakStep("uv sync")
		a.outDir(r, r.cwd)
	}
}

// poetry handles poetry install and pipenv install, whose virtualenvs live
// in a cache directory unless told otherwise.
func (a *analysis) poetry(r *runCtx, name string, args []word) {
	l := parseLine(args)
	if l.operand(0) == "config" && l.operand(1) == "virtualenvs.create" && l.operand(2) == "false" {
		r.st.env.set("POETRY_VIRTUALENVS_CREATE", "false")
		r.env.set("POETRY_VIRTUALENVS_CREATE", "false")
		return
	}
	if l.operand(0) == "config" && l.operand(1) == "virtualenvs.in-project" && l.operand(2) == "true" {
		r.st.env.set("POETRY_VIRTUALENVS_IN_PROJECT", "true")
		r.env.set("POETRY_VIRTUALENVS_IN_PROJECT", "true")
		return
	}
	if l.operand(0) != "install" && l.operand(0) != "sync" {
		return
	}
	a.weakStep(name + " install")
	a.needs["python"] = true
	a.outDir(r, r.cwd)
	create, _ := r.env.get("POETRY_VIRTUALENVS_CREATE")
	inProject, _ := r.env.get("POETRY_VIRTUALENVS_IN_PROJECT")
	pipenvProject, _ := r.env.get("PIPENV_VENV_IN_PROJECT")
	switch {
	case name == "poetry" && strings.EqualFold(create, "false"), name == "pipenv" && l.has("--system"):
		for _, d := range a.systemSitePackages() {
			a.output(r.in, d)
		}
	case name == "poetry" && strings.EqualFold(inProject, "true"), name == "pipenv" && pipenvProject != "" && pipenvProject != "0":
		a.output(r.in, path.Join(r.cwd, ".venv"))
	default:
		a.problem("line %d: %s installs into a virtualenv in its cache directory", r.in.StartLine, name)
	}
}

// perl handles "perl Makefile.PL" and "perl Build.PL", which write a build
// that honours DESTDIR (--destdir for Build).
func (a *analysis) perl(r *runCtx, args []word) {
	if len(args) == 0 {
		return
	}
	switch path.Base(args[0].v) {
	case "Makefile.PL", "Build.PL":
		a.generated = true
		a.needs["perl"] = true
		a.step("perl " + path.Base(args[0].v))
		a.outDir(r, r.cwd)
	}
}

// gem handles gem install and bundle install: the gems go to the
// directory given, GEM_HOME or BUNDLE_PATH, or the system's gem directory
// (Debian's ruby: /var/lib/gems, and the programs to /usr/local/bin).
func (a *analysis) gem(r *runCtx, name string, args []word) {
	l := parseLine(args, "-i", "--install-dir", "--bindir", "-n", "--path", "--gemfile", "-j", "--jobs", "--retry", "--without", "--with")
	if l.operand(0) == "config" {
		// bundle config [set] path DIR
		ops := l.operands[1:]
		if len(ops) > 0 && ops[0].v == "set" {
			ops = ops[1:]
		}
		if len(ops) == 2 && ops[0].v == "path" {
			if p := r.path(ops[1]); p != "" {
				r.st.env.set("BUNDLE_PATH", p)
				r.env.set("BUNDLE_PATH", p)
			}
		}
		return
	}
	if l.operand(0) != "install" && !(name != "gem" && l.operand(0) == "") {
		return
	}
	a.weakStep(name + " install")
	a.needs["ruby"] = true
	switch {
	case l.has("-i", "--install-dir", "--path"):
		v, _ := l.value("-i", "--install-dir", "--path")
		a.outWord(r, v)
		if b, ok := l.value("--bindir", "-n"); ok {
			a.outWord(r, b)
		}
		return
	case l.has("--deployment"):
		a.outDir(r, path.Join(r.cwd, "vendor/bundle"))
		return
	}
	for _, v := range []string{"BUNDLE_PATH", "GEM_HOME"} {
		if p, ok := r.env.get(v); ok && p != "" && (v == "GEM_HOME" || name != "gem") {
			a.output(r.in, p)
			if b, ok := r.env.get("BUNDLE_BIN"); ok && b != "" {
				a.output(r.in, b)
			}
			return
		}
	}
	if !a.knownEnv() {
		a.problem("line %d: %s install writes where the base image %s's environment says, which dockmend cannot see", r.in.StartLine, name, a.baseName())
		return
	}
	a.output(r.in, "/var/lib/gems")
	a.output(r.in, "/usr/local/bin")
}

// cpan handles cpanm and cpan: modules go to --local-lib, or to the site
// directories under /usr/local.
func (a *analysis) cpan(r *runCtx, name string, args []word) {
	l := parseLine(args, "-l", "--local-lib", "-L", "--local-lib-contained", "--mirror", "--from", "-M")
	if name == "cpan" && !slices.ContainsFunc(l.operands, func(o word) bool { return o.ok && o.v != "" }) {
		return
	}
	a.weakStep(name)
	a.needs["perl"] = true
	if v, ok := l.value("-l", "--local-lib", "-L", "--local-lib-contained"); ok {
		a.outWord(r, v)
		return
	}
	if !a.knownEnv() {
		a.problem("line %d: %s installs where the base image %s's environment says, which dockmend cannot see", r.in.StartLine, name, a.baseName())
		return
	}
	a.output(r.in, "/usr/local")
}

// baseName names the base image for a message, as written when its
// variables are not known.
func (a *analysis) baseName() string {
	if a.base != "" {
		return a.base
	}
	return a.stage.Base.Text
}
