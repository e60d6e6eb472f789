package dnf

import (
	_ "embed"
	"errors"
	"strings"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

//go:embed doc.go
var doc string

// Transformer is the dnf rule: dnf, yum and microdnf get -y, and RUNs that
// install with them end with a clean.
var Transformer = &transform.Transformer{
	Name:    "dnf",
	Doc:     transform.MustExtractDoc(doc, "dnf"),
	Default: true,
	Fixes:   []string{"DL3030", "DL3032", "DL3038", "DL3040"},
	Run:     run,
}

func run(p *transform.Pass) error {
	return p.Walk(func(in *source.Instruction) {
		if in.Is("RUN") && shellcmd.Mentions(in, "dnf", "yum") {
			checkRun(p, in)
		}
	})
}

// isManager reports whether c runs one of the package managers.
func isManager(c *shellcmd.Command) bool {
	switch c.Name() {
	case "dnf", "dnf5", "yum", "microdnf":
		return true
	}
	return false
}

// codes returns hadolint's codes for -y and clean for a manager.
func codes(c *shellcmd.Command) (yes, clean string) {
	if c.Name() == "yum" {
		return "DL3030", "DL3032"
	}
	return "DL3038", "DL3040"
}

// valueOptions returns the options of dnf, yum and microdnf that take a
// value.
func valueOptions() []string {
	return []string{"-c", "-d", "-e", "-x", "-R", "--config", "--debuglevel", "--errorlevel",
		"--exclude", "--excludepkgs", "--disablerepo", "--enablerepo", "--repo", "--repoid",
		"--repofrompath", "--setopt", "--installroot", "--releasever", "--forcearch",
		"--downloaddir", "--destdir", "--color", "--comment", "--rpmverbosity",
		"--disableplugin", "--enableplugin", "--use-host-config"}
}

// subcommand returns the index of the word that names what c does ("install"
// in "dnf install", "install" in "dnf group install"), or -1.
func subcommand(c *shellcmd.Command, l shellcmd.Line) int {
	i := l.Operand(0)
	if i < 0 || !c.Args[i].Literal {
		return -1
	}
	switch c.Args[i].Value {
	case "group", "groups", "module":
		if j := l.Operand(1); j > 0 && c.Args[j].Literal {
			return j
		}
		return -1
	}
	return i
}

// asks reports whether subcommand sub asks for confirmation.
func asks(sub string) bool {
	switch sub {
	case "install", "in", "reinstall", "remove", "rm", "erase", "upgrade", "up", "update",
		"downgrade", "distro-sync", "distrosync", "dsync", "autoremove", "localinstall",
		"localupdate", "builddep", "swap", "upgrade-minimal", "update-minimal",
		"groupinstall", "groupupdate", "groupupgrade", "groupremove", "groupinstall-minimal",
		"enable", "disable", "reset", "switch-to", "mark":
		return true
	}
	return false
}

// fills reports whether subcommand sub downloads packages or metadata into
// the cache.
func fills(sub string) bool {
	switch sub {
	case "install", "in", "reinstall", "upgrade", "up", "update", "downgrade", "distro-sync",
		"distrosync", "dsync", "localinstall", "localupdate", "builddep", "swap",
		"upgrade-minimal", "update-minimal", "groupinstall", "groupupdate", "groupupgrade",
		"makecache", "enable", "switch-to":
		return true
	}
	return false
}

func assumesYes(l shellcmd.Line) bool {
	if l.Has("-y", "--assumeyes") {
		return true
	}
	for _, v := range l.Values("--setopt") {
		k, val, _ := strings.Cut(v, "=")
		if strings.TrimSpace(k) == "assumeyes" {
			switch strings.ToLower(val) {
			case "1", "true", "yes", "on":
				return true
			}
		}
	}
	return false
}

// cacheDirs are where the managers keep metadata and packages.
func cacheDirs() []string {
	return []string{"/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"}
}

func checkRun(p *transform.Pass, in *source.Instruction) {
	s, err := in.Script()
	if err != nil {
		return
	}
	var last *shellcmd.Command // the last command that filled the cache
	var lastLine shellcmd.Line
	lastSub := -1
	cleaned := false
	for _, c := range shellcmd.Commands(s) {
		if c.Removes(cacheDirs()...) {
			cleaned = true
			continue
		}
		if !isManager(c) {
			continue
		}
		l := c.Parse(valueOptions()...)
		i := subcommand(c, l)
		if i < 0 {
			continue
		}
		sub := c.Args[i].Value
		if sub == "clean" {
			for _, j := range l.Operands {
				if j > i && c.Args[j].Literal && c.Args[j].Value == "all" {
					cleaned = true
				}
			}
			continue
		}
		if asks(sub) && !assumesYes(l) {
			reportYes(p, c, l, i)
		}
		if fills(sub) {
			last, lastLine, lastSub, cleaned = c, l, i, false
		}
	}
	if last == nil || cleaned || !shellcmd.ImageStage(in) {
		return
	}
	for _, d := range cacheDirs() {
		if shellcmd.CacheCovers(in, d) {
			return
		}
	}
	reportClean(p, s, last, lastLine, lastSub)
}

// what names what c does: "dnf install", "dnf module enable".
func what(c *shellcmd.Command, l shellcmd.Line, sub int) string {
	words := []string{c.Name()}
	for _, i := range l.Operands {
		if i > sub {
			break
		}
		words = append(words, c.Args[i].Value)
	}
	return strings.Join(words, " ")
}

func reportYes(p *transform.Pass, c *shellcmd.Command, l shellcmd.Line, i int) {
	code, _ := codes(c)
	fd := transform.Finding{
		Code:    code,
		Start:   c.Start(),
		End:     c.Args[i].End,
		Message: what(c, l, i) + " without -y stops at its confirmation prompt, which fails a build",
	}
	if c.Editable() {
		fd.Fix = &transform.Fix{Message: "add -y", Edits: []transform.Edit{c.InsertOption(l, i, " -y")}}
	} else {
		fd.Message += "; not fixed: " + c.NotEditable()
	}
	p.Report(fd)
}

func reportClean(p *transform.Pass, s *source.Script, c *shellcmd.Command, l shellcmd.Line, sub int) {
	_, code := codes(c)
	clean := c.Invocation() + " clean all"
	fd := transform.Finding{
		Code:    code,
		Start:   c.Start(),
		End:     c.Args[sub].End,
		Message: what(c, l, sub) + " leaves the package cache in the image",
	}
	e, err := shellcmd.Append(s, clean)
	var se *shellcmd.ShapeError
	switch {
	case errors.As(err, &se):
		fd.Message += "; not fixed: " + se.Reason
	case err != nil:
		fd.Message += "; not fixed: " + err.Error()
	default:
		fd.Fix = &transform.Fix{Message: "add " + clean + " at the end of the RUN", Edits: []transform.Edit{e}}
	}
	p.Report(fd)
}
