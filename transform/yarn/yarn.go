package yarn

import (
	_ "embed"

	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/internal/cachefix"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "yarn"

// Options configure the rule.
type Options struct {
	// CacheMounts fixes with a BuildKit cache mount over Yarn's cache
	// instead of yarn cache clean, in RUNs that run as root.
	CacheMounts bool
}

// Transformer is the yarn rule with the default options.
var Transformer = New(Options{})

// New returns the yarn transformer configured by opts.
func New(opts Options) *transform.Transformer {
	return &transform.Transformer{
		Name:    Name,
		Doc:     transform.MustExtractDoc(doc, Name),
		Default: true,
		Level:   severity.Info,
		Fixes:   []string{"DL3060"},
		Run: func(p *transform.Pass) error {
			return cachefix.Run(p, spec, cachefix.Options{CacheMounts: opts.CacheMounts})
		},
	}
}

// valueOptions are yarn's options that take a value in the next word.
func valueOptions() []string {
	return []string{"--cwd", "--cache-folder", "--modules-folder", "--global-folder", "--registry", "--network-timeout",
		"--mutex", "--network-concurrency", "--link-folder", "--preferred-cache-folder", "--use-yarnrc", "--otp"}
}

var spec = &cachefix.Spec{
	Words: []string{"yarn"},
	Code:  "DL3060",
	Install: func(c *shellcmd.Command) (int, bool) {
		if c.Name() != "yarn" {
			return 0, false
		}
		l := c.Parse(valueOptions()...)
		if l.Has("--cache-folder", "--offline") {
			return 0, false
		}
		i := l.Operand(0)
		if i < 0 {
			// A bare "yarn" installs; "yarn --version" does not.
			return 0, !l.Has("--version", "-v", "-V", "--help", "-h")
		}
		if !c.Args[i].Literal {
			return 0, false
		}
		switch c.Args[i].Value {
		case "install", "add", "upgrade":
			return i, true
		case "global":
			if j := l.Operand(1); j > 0 && c.Args[j].Value == "add" {
				return j, true
			}
		}
		return 0, false
	},
	Cleans: func(c *shellcmd.Command) bool {
		if c.Name() == "yarn" {
			l := c.Parse(valueOptions()...)
			if i := l.Operand(0); i > 0 && c.Args[i].Value == "cache" {
				j := l.Operand(1)
				return j > 0 && c.Args[j].Value == "clean"
			}
			return false
		}
		return cachefix.RemovesPathWith(c, "yarn")
	},
	Cleanup: func(c *shellcmd.Command) string {
		return cachefix.Prefix(c) + "yarn cache clean"
	},
	CacheDirs:  []string{"/usr/local/share/.cache/yarn", "/root/.cache/yarn", "/root/.yarn"},
	MountNames: []string{"yarn", ".yarn"},
	Message: func(c *shellcmd.Command) string {
		return "yarn keeps the packages it downloaded in its cache in the image"
	},
	Fix:    "run yarn cache clean at the end of the RUN",
	Unsafe: true,
	Why:    "with Yarn 2+ Plug'n'Play the app reads its packages from the cache",
	Mounts: []string{"type=cache,target=/usr/local/share/.cache/yarn"},
}
