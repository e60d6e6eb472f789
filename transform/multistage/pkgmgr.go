package multistage

import (
	"path"
	"strings"
)

// apt handles apt-get, apt and aptitude.
func (a *analysis) apt(r *runCtx, l cmdLine) {
	switch l.operand(0) {
	case "install":
		recommends := !l.has("--no-install-recommends")
		for _, o := range l.values("-o") {
			if k, v, ok := strings.Cut(o.v, "="); ok && strings.EqualFold(k, "APT::Install-Recommends") && (v == "0" || strings.EqualFold(v, "false")) {
				recommends = false
			}
		}
		if f, ok := r.env.get("DEBIAN_FRONTEND"); ok && f == "noninteractive" {
			a.frontend = true
		}
		for _, op := range l.operands[1:] {
			if !op.ok {
				a.problem("line %d: cannot tell which packages %s installs", r.in.StartLine, op.raw)
				continue
			}
			for _, v := range strings.Fields(op.v) { // an unquoted $PACKAGES splits
				if strings.HasSuffix(v, ".deb") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "/") {
					a.problem("line %d: installs a local package file (%s) that the runtime stage cannot reinstall", r.in.StartLine, v)
					continue
				}
				r.installs = append(r.installs, &install{fam: famApt, name: packageName(v), op: v, run: r.in, recommends: recommends})
			}
		}
	case "build-dep":
		r.installs = append(r.installs, &install{fam: famApt, name: "build-essential", op: "build-dep", run: r.in})
		a.problem("line %d: apt-get build-dep installs build dependencies it does not name, so their run-time packages cannot be named", r.in.StartLine)
	case "remove", "purge", "autoremove":
		if l.operand(0) == "autoremove" || l.has("--auto-remove", "--autoremove") {
			if r.aptMark {
				for _, i := range r.installs {
					i.removed = true
				}
			}
		}
		for _, op := range l.operands[1:] {
			a.remove(r, famApt, op)
		}
	}
}

// apk handles Alpine's apk: add (with --virtual groups) and del.
func (a *analysis) apk(r *runCtx, l cmdLine) {
	switch l.operand(0) {
	case "add":
		group := ""
		if g, ok := l.value("-t", "--virtual"); ok {
			group = g.v
		}
		for _, op := range l.operands[1:] {
			if op.ok {
				r.installs = append(r.installs, &install{fam: famApk, name: packageName(op.v), op: op.v, group: group, run: r.in})
			}
		}
	case "del":
		for _, op := range l.operands[1:] {
			a.remove(r, famApk, op)
		}
	}
}

// rpm handles dnf, yum, microdnf, tdnf and zypper.
func (a *analysis) rpm(r *runCtx, fam string, l cmdLine) {
	switch sub := l.operand(0); sub {
	case "install", "in", "groupinstall", "reinstall", "source-install", "si":
		ops := l.operands[1:]
		if sub == "groupinstall" || l.operand(1) == "group" {
			r.installs = append(r.installs, &install{fam: fam, name: "@development-tools", op: "groupinstall", run: r.in})
			return
		}
		for _, op := range ops {
			if op.ok && !strings.HasSuffix(op.v, ".rpm") {
				r.installs = append(r.installs, &install{fam: fam, name: packageName(strings.ToLower(op.v)), op: op.v, run: r.in})
			}
		}
	case "remove", "erase", "rm", "autoremove":
		for _, op := range l.operands[1:] {
			a.remove(r, fam, op)
		}
	}
}

// remove marks installed packages (or apk groups) as removed.
func (a *analysis) remove(r *runCtx, fam string, op word) {
	if !op.ok {
		return
	}
	name := packageName(op.v)
	for _, list := range [][]*install{a.installs, r.installs} {
		for _, i := range list {
			if i.fam == fam && (i.name == name || i.group == name || strings.ContainsAny(name, "*?") && globMatch(name, i.name)) {
				i.removed = true
			}
		}
	}
}

func globMatch(pattern, s string) bool {
	ok, _ := path.Match(pattern, s)
	return ok
}
