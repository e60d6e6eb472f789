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
	return a.systemSitePackages()
}

// debianPython is the python3 version of Debian and Ubuntu releases.
var debianPython = map[string]string{
	"buster": "3.7", "bullseye": "3.9", "bookworm": "3.11", "trixie": "3.13",
	"10": "3.7", "11": "3.9", "12": "3.11", "13": "3.13",
	"focal": "3.8", "jammy": "3.10", "noble": "3.12", "20.04": "3.8", "22.04": "3.10", "24.04": "3.12",
}

var pythonTagRE = regexp.MustCompile(`^(3\.[0-9]+)`)

// systemSitePackages is where pip installs outside a virtualenv:
// /usr/local/lib/pythonX.Y (site-packages on the python images, where the
// standard library is there too, dist-packages with Debian's python3) and
// the scripts in /usr/local/bin. When the version is unknown, all of
// /usr/local.
func (a *analysis) systemSitePackages() []string {
	repo, tag := imageName(a.base)
	switch {
	case repo == "python":
		if m := pythonTagRE.FindString(tag); m != "" {
			// Not only site-packages: an image whose python comes from
			// Debian (dist-packages) has the same tag.
			return []string{"/usr/local/bin", "/usr/local/lib/python" + m}
		}
	case repo == "debian" || repo == "ubuntu":
		for _, part := range strings.Split(tag, "-") {
			if v, ok := debianPython[part]; ok {
				return []string{"/usr/local/bin", "/usr/local/lib/python" + v}
			}
		}
	}
	return []string{"/usr/local"}
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
		dir := l.operand(1)
		if dir == "" {
			dir = ".venv"
		}
		a.outWord(r, word{v: dir, ok: true})
	case "pip":
		if l.operand(1) == "install" {
			a.weakStep("uv pip install")
			for _, d := range a.pythonEnv(r, word{}) {
				a.output(r.in, d)
			}
		}
	case "sync":
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
