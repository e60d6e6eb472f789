package zypper

import (
	_ "embed"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/pkgmgr"
)

//go:embed doc.go
var doc string

// Transformer is the zypper rule: zypper gets -n, and RUNs that install
// with it end with zypper clean --all.
var Transformer = &transform.Transformer{
	Name:    "zypper",
	Doc:     transform.MustExtractDoc(doc, "zypper"),
	Default: true,
	Fixes:   []string{"DL3034", "DL3036"},
	Run:     manager.Check,
}

// manager describes zypper.
var manager = &pkgmgr.Manager{
	Names:    []string{"zypper"},
	Mentions: []string{"zypper"},
	// The global options that take a value.
	ValueOptions: []string{"-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C", "--cache-dir",
		"--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--userdata", "-p", "--plus-repo",
		"--installroot", "-r", "--repo", "--releasever", "-x", "--xmlout"},
	Asks: []string{"install", "in", "remove", "rm", "update", "up", "dist-upgrade", "dup", "patch",
		"source-install", "si", "install-new-recommends", "inr", "verify", "ve"},
	Fills: []string{"install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si",
		"install-new-recommends", "inr", "refresh", "ref", "verify", "ve"},
	Cleans:    []string{"clean", "cc"},
	CacheDirs: []string{"/var/cache/zypp"},
	Confirmed: nonInteractive,
	Prompt: func(c pkgmgr.Call) (string, string, transform.Edit, string) {
		return "DL3034", "zypper " + c.Subcommand() + " without -n waits for answers a build cannot give",
			c.InsertAfter(0, " -n"), "add -n (--non-interactive)"
	},
	Leftover: func(c pkgmgr.Call) (string, string, string) {
		return "DL3036", "zypper " + c.Subcommand() + " leaves repository metadata in the image", c.Invocation() + " clean --all"
	},
}

// nonInteractive reports a global -n or --non-interactive before the
// subcommand at index sub, or -y or --no-confirm after it.
func nonInteractive(l shellcmd.Line, sub int) bool {
	for _, o := range l.Options {
		switch {
		case o.Index < sub && (o.Name == "-n" || o.Name == "--non-interactive"):
			return true
		case o.Index > sub && (o.Name == "-y" || o.Name == "--no-confirm"):
			return true
		}
	}
	return false
}
