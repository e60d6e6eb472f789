package apt

import (
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// checkCommands reports apt and apt-get command lines that need -y,
// --no-install-recommends or apt-get instead of apt.
func checkCommands(p *transform.Pass, r *runInfo) {
	for _, c := range r.cmds {
		switch c.Name() {
		case "apt":
			checkApt(p, c)
		case "apt-get":
			checkAptGet(p, c)
		}
	}
}

// aptGetFor maps an apt subcommand to apt-get's. safe is false when
// apt-get's subcommand behaves differently.
func aptGetFor(sub string) (getSub string, safe, ok bool) {
	switch sub {
	case "install", "remove", "purge", "autoremove", "update", "clean", "autoclean",
		"source", "build-dep", "download", "changelog", "satisfy", "dist-upgrade", "check":
		return sub, true, true
	case "full-upgrade":
		return "dist-upgrade", true, true
	case "upgrade":
		return sub, false, true
	}
	return "", false, false
}

func checkApt(p *transform.Pass, c *shellcmd.Command) {
	i, _ := subcommand(c)
	if i < 0 {
		return
	}
	sub := c.Args[i].Value
	fd := transform.Finding{
		Code:    "DL3027",
		Start:   c.Start(),
		End:     c.Args[i].End,
		Message: "apt is meant for interactive use; its command line may change, use apt-get in scripts",
	}
	getSub, safe, ok := aptGetFor(sub)
	if !ok {
		fd.Message = "apt " + sub + " is meant for interactive use; use apt-get or apt-cache in scripts"
		p.Report(fd)
		return
	}
	if !c.Editable() {
		fd.Message += "; not fixed: " + c.NotEditable()
		p.Report(fd)
		return
	}
	if c.Args[0].Node.Lit() == "" {
		p.Report(fd)
		return
	}
	edits := []transform.Edit{c.InsertAfter(0, "-get")}
	if getSub != sub {
		e, ok := c.Replace(i, getSub)
		if !ok {
			p.Report(fd)
			return
		}
		edits = append(edits, e)
	}
	fix := &transform.Fix{Message: "use apt-get " + getSub, Edits: edits}
	if !safe {
		fix.Applicability = transform.Unsafe
		fix.Message += " (it holds back upgrades that need new packages)"
	}
	fd.Fix = fix
	p.Report(fd)
}

// needsYes lists the apt-get subcommands that ask for confirmation.
func needsYes(sub string) bool {
	switch sub {
	case "install", "upgrade", "dist-upgrade", "full-upgrade", "remove", "purge", "autoremove", "autopurge", "build-dep", "satisfy", "reinstall":
		return true
	}
	return false
}

func checkAptGet(p *transform.Pass, c *shellcmd.Command) {
	i, l := subcommand(c)
	if i < 0 {
		return
	}
	sub := c.Args[i].Value
	if needsYes(sub) && !assumesYes(l) {
		fd := transform.Finding{
			Code:    "DL3014",
			Start:   c.Start(),
			End:     c.Args[i].End,
			Message: "apt-get " + sub + " without -y stops at its confirmation prompt, which fails a build",
		}
		if c.Editable() {
			fd.Fix = &transform.Fix{Message: "add -y", Edits: []transform.Edit{c.InsertOption(l, i, " -y")}}
		} else {
			fd.Message += "; not fixed: " + c.NotEditable()
		}
		p.Report(fd)
	}
	// Recommended packages cost space only in a stage whose files end up
	// in an image; in a build stage, dropping them only risks the build
	// (gcc only recommends libc6-dev).
	if sub == "install" && !noRecommends(l) && shellcmd.ImageStage(c.Script.Inst) {
		fd := transform.Finding{
			Code:    "DL3015",
			Start:   c.Start(),
			End:     c.Args[i].End,
			Message: "apt-get install without --no-install-recommends also installs recommended packages",
		}
		if c.Editable() {
			fd.Fix = &transform.Fix{
				Message:       "add --no-install-recommends (check that nothing needed was only recommended)",
				Edits:         []transform.Edit{c.InsertOption(l, i, " --no-install-recommends")},
				Applicability: transform.Unsafe,
			}
			if added, needers, last := recommendedNeeds(c, l, i); len(added) > 0 {
				var why []string
				for j, a := range added {
					if a == "make" {
						why = append(why, "make, which the stage runs and recommended packages brought")
						continue
					}
					why = append(why, a+", which "+needers[j]+" only recommends")
				}
				fd.Fix.Message = "add --no-install-recommends, and " + strings.Join(why, ", and ") + " (check that nothing else needed was only recommended)"
				fd.Fix.Edits = append(fd.Fix.Edits, transform.Edit{Start: c.Args[last].End, End: c.Args[last].End, New: " " + strings.Join(added, " ")})
			}
		} else {
			fd.Message += "; not fixed: " + c.NotEditable()
		}
		p.Report(fd)
	}
}

// onlyRecommended maps packages that are mostly installed for something
// they only recommend to that package: curl, wget and git fetch over
// HTTPS, which fails without ca-certificates; a C compiler builds nothing
// without the C library's headers (gcc recommends libc6-dev;
// build-essential depends on it); Debian's npm depends on node-gyp, which
// builds native addons with the compilers and make of build-essential,
// which it only recommends: needed when the stage installs Node packages
// (a native addon builds during npm ci or install).
var onlyRecommended = []struct {
	pkg     string
	needers func(name string) bool
	// when, if set, must also hold for the install's RUN.
	when func(in *source.Instruction) bool
}{
	{"ca-certificates", func(n string) bool { return n == "curl" || n == "wget" || n == "git" }, nil},
	{"libc6-dev", func(n string) bool { return compilerRE.MatchString(n) }, nil},
	{"build-essential", func(n string) bool { return n == "npm" || n == "node-gyp" }, installsNodePackages},
	// make comes with recommended packages more often than not (php-dev
	// recommends pkg-php-tools, which brings debhelper and make): a stage
	// that runs make, configure or phpize needs it named.
	{"make", func(string) bool { return true }, runsMake},
}

// runsMake reports whether the RUN in, or a later RUN of its stage, runs
// make, a configure script or phpize.
func runsMake(in *source.Instruction) bool {
	return laterRunRuns(in, []string{"make", "configure", "phpize"}, "make", "gmake", "configure", "phpize")
}

// cxxRE matches the C++ compilers that, with make, build what node-gyp
// builds without build-essential.
var cxxRE = regexp.MustCompile(`^(?:g\+\+|clang|c\+\+)(?:-[0-9.]+)?$`)

// installsNodePackages reports whether the RUN in, or a later RUN of its
// stage, runs npm, yarn, pnpm or node-gyp: Node packages that may build
// native addons.
func installsNodePackages(in *source.Instruction) bool {
	return laterRunRuns(in, []string{"npm", "npx", "yarn", "pnpm", "node-gyp"}, "npm", "npx", "yarn", "pnpm", "node-gyp")
}

// laterRunRuns reports whether the RUN in, or a later RUN of its stage,
// runs one of the commands (by the base name of the command word); the
// RUNs that do not mention one of words are not parsed.
func laterRunRuns(in *source.Instruction, words []string, commands ...string) bool {
	if in.Stage == nil {
		return false
	}
	after := false
	for _, x := range in.Stage.Instructions {
		if x == in {
			after = true
		}
		if after && x.Is("RUN") && shellcmd.Mentions(x, words...) && runsCommand(x, commands) {
			return true
		}
	}
	return false
}

// runsCommand reports whether a command of the RUN in is one of
// commands.
func runsCommand(in *source.Instruction, commands []string) bool {
	sc, err := in.Script()
	if err != nil {
		return false
	}
	for _, c := range shellcmd.Commands(sc) {
		if len(c.Args) > 0 && c.Args[0].Literal && slices.Contains(commands, path.Base(c.Args[0].Value)) {
			return true
		}
	}
	return false
}

var compilerRE = regexp.MustCompile(`^(?:gcc|g\+\+|clang|cc|c\+\+)(?:-[0-9.]+)?$`)

// recommendedNeeds returns, for an install (its subcommand at index sub),
// the packages of onlyRecommended to add with --no-install-recommends,
// the first package that needs each, and the index of the last package
// word; nothing when the package list has a word that cannot be read.
func recommendedNeeds(c *shellcmd.Command, l shellcmd.Line, sub int) (added, needers []string, last int) {
	listed := map[string]bool{}
	first := map[string]string{}
	for _, i := range l.Operands {
		if i <= sub {
			continue
		}
		w := c.Args[i]
		if !w.Literal {
			return nil, nil, 0 // a package list we cannot read
		}
		name, _, _ := strings.Cut(w.Value, "=")
		name, _, _ = strings.Cut(name, ":")
		listed[name] = true
		for _, r := range onlyRecommended {
			if _, ok := first[r.pkg]; !ok && r.needers(name) && (r.when == nil || r.when(c.Script.Inst)) {
				first[r.pkg] = name
			}
		}
		last = i
	}
	// node-gyp needs make and a C++ compiler; build-essential brings
	// both, and libc6-dev
	cxx := false
	for name := range listed {
		cxx = cxx || cxxRE.MatchString(name)
	}
	if listed["make"] && cxx {
		delete(first, "build-essential")
	}
	if _, ok := first["build-essential"]; ok && !listed["build-essential"] {
		delete(first, "libc6-dev")
		delete(first, "make")
	}
	if listed["build-essential"] {
		delete(first, "make")
	}
	for _, r := range onlyRecommended {
		if n, ok := first[r.pkg]; ok && !listed[r.pkg] {
			added = append(added, r.pkg)
			needers = append(needers, n)
		}
	}
	return added, needers, last
}

func assumesYes(l shellcmd.Line) bool {
	if l.Has("-y", "--yes", "--assume-yes") {
		return true
	}
	quiet := l.Count("-q") + l.Count("--quiet")
	for _, v := range l.Values("-q", "--quiet") {
		if v == "2" {
			quiet = 2
		}
	}
	if quiet >= 2 {
		return true
	}
	return configIs(l, "apt::get::assume-yes", true)
}

func noRecommends(l shellcmd.Line) bool {
	if l.Has("--no-install-recommends") {
		return true
	}
	for _, v := range l.Values("--install-recommends") {
		if isFalse(v) {
			return true
		}
	}
	return configIs(l, "apt::install-recommends", false)
}

// configIs reports whether an -o option sets key (lower case) to a true
// (want) or false value.
func configIs(l shellcmd.Line, key string, want bool) bool {
	for _, v := range l.Values("-o", "--option") {
		k, val, ok := strings.Cut(v, "=")
		if !ok || strings.ToLower(k) != key {
			continue
		}
		if want && isTrue(val) || !want && isFalse(val) {
			return true
		}
	}
	return false
}

func isTrue(v string) bool {
	switch strings.ToLower(strings.Trim(v, `"'`)) {
	case "1", "true", "yes", "on":
		return true
	}
	return false
}

func isFalse(v string) bool {
	switch strings.ToLower(strings.Trim(v, `"'`)) {
	case "0", "false", "no", "off":
		return true
	}
	return false
}
