package gem

import (
	_ "embed"
	"strings"

	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/cachefix"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "gem"

// Transformer is the gem rule.
var Transformer = &transform.Transformer{
	Name:    Name,
	Doc:     transform.MustExtractDoc(doc, Name),
	Default: true,
	Level:   severity.Info,
	Run:     run,
}

const cacheCleanup = `rm -rf "$(gem env gemdir)"/cache/*.gem`

func run(p *transform.Pass) error {
	gemrc := setsGemrc(p.File)
	err := p.Walk(func(in *source.Instruction) {
		if gemrc || !in.Is("RUN") || !shellcmd.Mentions(in, "gem") || !shellcmd.ImageStage(in) {
			return
		}
		s, err := in.Script()
		if err != nil {
			return
		}
		for _, c := range shellcmd.Commands(s) {
			i, l := install(c)
			if i < 0 || l.Has("--no-document", "-N", "--document", "--no-ri", "--no-rdoc", "--ri", "--rdoc") {
				continue
			}
			fd := transform.Finding{
				Start:   c.Start(),
				End:     c.Args[i].End,
				Message: "gem install builds and installs the ri and rdoc documentation of every gem",
			}
			if c.Editable() {
				fd.Fix = &transform.Fix{Message: "add --no-document", Edits: []transform.Edit{c.InsertOption(l, i, " --no-document")}}
			} else {
				fd.Message += "; not fixed: " + c.NotEditable()
			}
			p.Report(fd)
		}
	})
	if err != nil {
		return err
	}
	return cachefix.Run(p, cacheSpec, cachefix.Options{})
}

// valueOptions are the options of gem install that take a value in the
// next word.
func valueOptions() []string {
	return []string{"-v", "--version", "-i", "--install-dir", "-n", "--bindir", "-s", "--source", "-p",
		"--http-proxy", "--platform", "-g", "--file", "--build-root", "--document", "--target-rbconfig", "--config-file"}
}

// install returns the index of the "install" word of a gem install, or
// -1, and the parsed line.
func install(c *shellcmd.Command) (int, shellcmd.Line) {
	l := c.Parse(valueOptions()...)
	if c.Name() != "gem" {
		return -1, l
	}
	i := l.Operand(0)
	if i < 0 || !c.Args[i].Literal || c.Args[i].Value != "install" && c.Args[i].Value != "i" {
		return -1, l
	}
	return i, l
}

var cacheSpec = &cachefix.Spec{
	Words: []string{"gem"},
	Install: func(c *shellcmd.Command) (int, bool) {
		i, l := install(c)
		if i < 0 || l.Has("-i", "--install-dir", "--user-install", "--local", "-l") {
			return 0, false
		}
		return i, true
	},
	Cleans: func(c *shellcmd.Command) bool {
		if c.Name() != "rm" {
			return false
		}
		for _, j := range c.Parse().Operands {
			t := shellcmd.WordText(c.Args[j])
			if strings.Contains(t, "gem") && strings.Contains(t, "cache") {
				return true
			}
		}
		return false
	},
	Cleanup: func(c *shellcmd.Command) string {
		if p := cachefix.Prefix(c); p != "" {
			return p + `sh -c 'rm -rf "$(gem env gemdir)"/cache/*.gem'`
		}
		return cacheCleanup
	},
	CacheDirs:  []string{"/usr/local/bundle/cache", "/var/lib/gems"},
	MountNames: []string{"cache"},
	Message: func(c *shellcmd.Command) string {
		return "gem install keeps the .gem files it downloaded in the gem directory's cache in the image"
	},
	Fix: "remove the cached .gem files at the end of the RUN",
}

// setsGemrc reports an ENV or ARG that sets GEMRC, or a RUN that writes a
// gemrc file: gem's options then come from there.
func setsGemrc(f *source.File) bool {
	found := false
	f.Walk(func(in *source.Instruction) {
		switch {
		case (in.Is("ENV") || in.Is("ARG")) && strings.Contains(in.Args(), "GEMRC"):
			for _, fl := range in.Fields() {
				if strings.HasPrefix(fl.Text, "GEMRC") {
					found = true
				}
			}
		case in.Is("RUN") || in.Is("COPY") || in.Is("ADD"):
			if strings.Contains(in.Args(), "gemrc") {
				found = true
			}
		}
	})
	return found
}
