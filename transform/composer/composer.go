package composer

import (
	_ "embed"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/cachefix"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "composer"

// Transformer is the composer rule.
var Transformer = &transform.Transformer{
	Name:    Name,
	Doc:     transform.MustExtractDoc(doc, Name),
	Default: true,
	Level:   severity.Info,
	Run: func(p *transform.Pass) error {
		return cachefix.Run(p, spec, cachefix.Options{})
	},
}

// valueOptions are composer's options that take a value in the next word.
func valueOptions() []string {
	return []string{"-d", "--working-dir", "--prefer-install", "--ignore-platform-req"}
}

// subcommand returns the index of composer's subcommand word, or -1, and
// the parsed line.
func subcommand(c *shellcmd.Command) (int, shellcmd.Line) {
	l := c.Parse(valueOptions()...)
	if c.Name() != "composer" && c.Name() != "composer.phar" {
		return -1, l
	}
	i := l.Operand(0)
	if i < 0 || !c.Args[i].Literal {
		return -1, l
	}
	return i, l
}

var spec = &cachefix.Spec{
	Words: []string{"composer"},
	Install: func(c *shellcmd.Command) (int, bool) {
		i, l := subcommand(c)
		if i < 0 || !slices.Contains([]string{"install", "i", "update", "u", "upgrade", "require", "r", "create-project"}, c.Args[i].Value) || l.Has("--no-cache") {
			return 0, false
		}
		for _, e := range c.Env {
			if strings.HasPrefix(e, "COMPOSER_CACHE_DIR=") {
				return 0, false
			}
		}
		return i, true
	},
	Cleans: func(c *shellcmd.Command) bool {
		if i, _ := subcommand(c); i >= 0 {
			v := c.Args[i].Value
			return v == "clear-cache" || v == "clearcache" || v == "cc"
		}
		return cachefix.RemovesPathWith(c, "composer")
	},
	Cleanup: func(c *shellcmd.Command) string {
		return cachefix.Prefix(c) + c.Args[0].Value + " clear-cache"
	},
	CacheDirs:  []string{"/root/.cache/composer", "/root/.composer/cache", "/tmp/cache"},
	MountNames: []string{"composer"},
	Message: func(c *shellcmd.Command) string {
		i, _ := subcommand(c)
		return "composer " + c.Args[i].Value + " keeps the archives it downloaded in Composer's cache in the image"
	},
	Fix: "run composer clear-cache at the end of the RUN",
}
