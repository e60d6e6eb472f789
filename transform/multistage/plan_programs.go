package multistage

import (
	"path"
	"slices"
	"strings"
)

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
