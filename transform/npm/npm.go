package npm

import (
	_ "embed"
	"path"
	"slices"
	"strconv"
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
const Name = "npm"

// Options configure the rule.
type Options struct {
	// CacheMounts fixes with a BuildKit cache mount over /root/.npm
	// instead of npm cache clean, in RUNs that run as root.
	CacheMounts bool
}

// Transformer is the npm rule with the default options.
var Transformer = New(Options{})

// New returns the npm transformer configured by opts.
func New(opts Options) *transform.Transformer {
	return &transform.Transformer{
		Name:    Name,
		Doc:     transform.MustExtractDoc(doc, Name),
		Default: true,
		Level:   severity.Info,
		Run: func(p *transform.Pass) error {
			spec := newSpec(p.File)
			return cachefix.Run(p, spec, cachefix.Options{CacheMounts: opts.CacheMounts})
		},
	}
}

// installs are npm's subcommands (and aliases) that install packages.
var installs = []string{"install", "i", "in", "ins", "inst", "insta", "instal", "isnt", "isnta", "isntal", "isntall",
	"add", "ci", "clean-install", "ic", "install-clean", "isntall-clean", "install-test", "it", "install-ci-test", "cit",
	"update", "up", "upgrade", "udpate"}

// valueOptions are npm's options that may take their value in the next
// word.
func valueOptions() []string {
	return []string{"--prefix", "-C", "--registry", "--cache", "--userconfig", "--globalconfig", "--loglevel",
		"-w", "--workspace", "--tag", "--omit", "--include", "--install-strategy", "--location", "--scope", "--otp"}
}

// subcommand returns the index of npm's subcommand word and the parsed
// line; -1 when c is not npm or has none.
func subcommand(c *shellcmd.Command) (int, shellcmd.Line) {
	l := c.Parse(valueOptions()...)
	if c.Name() != "npm" {
		return -1, l
	}
	i := l.Operand(0)
	if i < 0 || !c.Args[i].Literal {
		return -1, l
	}
	return i, l
}

func newSpec(f *source.File) *cachefix.Spec {
	offline := offlineRuns(f)
	spec := &cachefix.Spec{
		Words: []string{"npm"},
		Install: func(c *shellcmd.Command) (int, bool) {
			i, l := subcommand(c)
			if i < 0 || !slices.Contains(installs, c.Args[i].Value) || l.Has("--cache", "--offline") {
				return 0, false
			}
			return i, true
		},
		Cleans: func(c *shellcmd.Command) bool {
			if i, _ := subcommand(c); i >= 0 && c.Args[i].Value == "cache" && i+1 < len(c.Args) {
				v := c.Args[i+1].Value
				return v == "clean" || v == "rm" || v == "clear"
			}
			return cachefix.RemovesPathWith(c, ".npm", "_cacache")
		},
		Cleanup: func(c *shellcmd.Command) string {
			return cachefix.Prefix(c) + "npm cache clean --force"
		},
		CacheDirs:  []string{"/root/.npm"},
		MountNames: []string{".npm", "_cacache"},
		Message: func(c *shellcmd.Command) string {
			i, _ := subcommand(c)
			return "npm " + c.Args[i].Value + " keeps the packages it downloaded in npm's cache (~/.npm) in the image"
		},
		Fix:    "run npm cache clean --force at the end of the RUN",
		Mounts: []string{"type=cache,target=/root/.npm"},
	}
	if len(offline) > 0 {
		spec.Unsafe = true
		spec.Why = "the RUN on line " + strings.Join(offline, ", ") + " installs --offline or --prefer-offline, from the cache"
	}
	return spec
}

// offlineRuns returns the lines of the RUNs that install with npm from
// the cache (--offline, --prefer-offline).
func offlineRuns(f *source.File) []string {
	var lines []string
	f.Walk(func(in *source.Instruction) {
		if !in.Is("RUN") || !shellcmd.Mentions(in, "offline") {
			return
		}
		s, err := in.Script()
		if err != nil {
			return
		}
		for _, c := range shellcmd.Commands(s) {
			if i, l := subcommand(c); i >= 0 && path.Base(c.Name()) == "npm" && l.Has("--offline", "--prefer-offline") {
				lines = append(lines, strconv.Itoa(in.StartLine))
				return
			}
		}
	})
	return lines
}
