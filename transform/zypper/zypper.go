package zypper

import (
	_ "embed"
	"errors"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
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
	Run:     run,
}

const cacheDir = "/var/cache/zypp"

func run(p *transform.Pass) error {
	return p.Walk(func(in *source.Instruction) {
		if in.Is("RUN") && shellcmd.Mentions(in, "zypper") {
			checkRun(p, in)
		}
	})
}

// globalValueOptions returns zypper's global options that take a value.
func globalValueOptions() []string {
	return []string{"-R", "--root", "-c", "--config", "-D", "--reposd-dir", "-C", "--cache-dir",
		"--raw-cache-dir", "--solv-cache-dir", "--pkg-cache-dir", "--userdata", "-p", "--plus-repo",
		"--installroot", "-r", "--repo", "--releasever", "-x", "--xmlout"}
}

// asks reports whether subcommand sub may ask questions.
func asks(sub string) bool {
	switch sub {
	case "install", "in", "remove", "rm", "update", "up", "dist-upgrade", "dup", "patch",
		"source-install", "si", "install-new-recommends", "inr", "verify", "ve":
		return true
	}
	return false
}

// fills reports whether subcommand sub downloads metadata or packages.
func fills(sub string) bool {
	switch sub {
	case "install", "in", "update", "up", "dist-upgrade", "dup", "patch", "source-install", "si",
		"install-new-recommends", "inr", "refresh", "ref", "verify", "ve":
		return true
	}
	return false
}

func checkRun(p *transform.Pass, in *source.Instruction) {
	s, err := in.Script()
	if err != nil {
		return
	}
	var last *shellcmd.Command // the last command that filled the cache
	lastSub := -1
	cleaned := false
	for _, c := range shellcmd.Commands(s) {
		if c.Removes(cacheDir) {
			cleaned = true
			continue
		}
		if c.Name() != "zypper" {
			continue
		}
		l := c.Parse(globalValueOptions()...)
		i := l.Operand(0)
		if i < 0 || !c.Args[i].Literal {
			continue
		}
		sub := c.Args[i].Value
		if sub == "clean" || sub == "cc" {
			cleaned = true
			continue
		}
		if asks(sub) && !nonInteractive(l, i) {
			reportN(p, c, i)
		}
		if fills(sub) {
			last, lastSub, cleaned = c, i, false
		}
	}
	if last == nil || cleaned || !shellcmd.ImageStage(in) || shellcmd.CacheCovers(in, cacheDir) {
		return
	}
	reportClean(p, s, last, lastSub)
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

func reportN(p *transform.Pass, c *shellcmd.Command, i int) {
	fd := transform.Finding{
		Code:    "DL3034",
		Start:   c.Start(),
		End:     c.Args[i].End,
		Message: "zypper " + c.Args[i].Value + " without -n waits for answers a build cannot give",
	}
	if c.Editable() {
		fd.Fix = &transform.Fix{Message: "add -n (--non-interactive)", Edits: []transform.Edit{c.InsertAfter(0, " -n")}}
	} else {
		fd.Message += "; not fixed: " + c.NotEditable()
	}
	p.Report(fd)
}

func reportClean(p *transform.Pass, s *source.Script, c *shellcmd.Command, sub int) {
	clean := c.Invocation() + " clean --all"
	fd := transform.Finding{
		Code:    "DL3036",
		Start:   c.Start(),
		End:     c.Args[sub].End,
		Message: "zypper " + c.Args[sub].Value + " leaves repository metadata in the image",
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
