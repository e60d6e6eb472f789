package dnf

import (
	_ "embed"
	"strings"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/pkgmgr"
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
	Run:     manager.Check,
}

// manager describes dnf, yum and microdnf.
var manager = &pkgmgr.Manager{
	Names:    []string{"dnf", "dnf5", "yum", "microdnf"},
	Mentions: []string{"dnf", "yum"},
	ValueOptions: []string{"-c", "-d", "-e", "-x", "-R", "--config", "--debuglevel", "--errorlevel",
		"--exclude", "--excludepkgs", "--disablerepo", "--enablerepo", "--repo", "--repoid",
		"--repofrompath", "--setopt", "--installroot", "--releasever", "--forcearch",
		"--downloaddir", "--destdir", "--color", "--comment", "--rpmverbosity",
		"--disableplugin", "--enableplugin", "--use-host-config"},
	Subcommand: subcommand,
	Asks: []string{"install", "in", "reinstall", "remove", "rm", "erase", "upgrade", "up", "update",
		"downgrade", "distro-sync", "distrosync", "dsync", "autoremove", "localinstall",
		"localupdate", "builddep", "swap", "upgrade-minimal", "update-minimal",
		"groupinstall", "groupupdate", "groupupgrade", "groupremove", "groupinstall-minimal",
		"enable", "disable", "reset", "switch-to", "mark"},
	Fills: []string{"install", "in", "reinstall", "upgrade", "up", "update", "downgrade", "distro-sync",
		"distrosync", "dsync", "localinstall", "localupdate", "builddep", "swap",
		"upgrade-minimal", "update-minimal", "groupinstall", "groupupdate", "groupupgrade",
		"makecache", "enable", "switch-to"},
	Cleans: []string{"clean"},
	// Only "clean all" empties the cache.
	CleansAll: func(c *shellcmd.Command, l shellcmd.Line, sub int) bool {
		for _, j := range l.Operands {
			if j > sub && c.Args[j].Literal && c.Args[j].Value == "all" {
				return true
			}
		}
		return false
	},
	CacheDirs: []string{"/var/cache/dnf", "/var/cache/yum", "/var/cache/libdnf5"},
	Confirmed: assumesYes,
	Prompt: func(c pkgmgr.Call) (string, string, transform.Edit, string) {
		return code(c, "DL3030", "DL3038"), what(c) + " without -y stops at its confirmation prompt, which fails a build",
			c.InsertOption(c.Line, c.Sub, " -y"), "add -y"
	},
	Leftover: func(c pkgmgr.Call) (string, string, string) {
		return code(c, "DL3032", "DL3040"), what(c) + " leaves the package cache in the image", c.Invocation() + " clean all"
	},
}

// code returns hadolint's code for yum or for dnf and microdnf.
func code(c pkgmgr.Call, yum, dnf string) string {
	if c.Name() == "yum" {
		return yum
	}
	return dnf
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

func assumesYes(l shellcmd.Line, _ int) bool {
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

// what names what c does: "dnf install", "dnf module enable".
func what(c pkgmgr.Call) string {
	words := []string{c.Name()}
	for _, i := range c.Line.Operands {
		if i > c.Sub {
			break
		}
		words = append(words, c.Args[i].Value)
	}
	return strings.Join(words, " ")
}
