package apt

import (
	_ "embed"
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

//go:embed doc.go
var doc string

// Options configure the rule.
type Options struct {
	// CacheMounts fixes a RUN that leaves the package lists with BuildKit
	// cache mounts over /var/cache/apt and /var/lib/apt instead of
	// removing the lists.
	CacheMounts bool
}

// Transformer is the apt rule with the default options: apt becomes
// apt-get, apt-get gets -y (and, as an unsafe fix,
// --no-install-recommends), a lone apt-get update is merged into the
// install it serves, and package lists are removed in every RUN that
// leaves them.
var Transformer = New(Options{})

// New returns the apt transformer configured by opts.
func New(opts Options) *transform.Transformer {
	return &transform.Transformer{
		Name:    "apt",
		Doc:     transform.MustExtractDoc(doc, "apt"),
		Default: true,
		Level:   severity.Warning,
		Levels:  map[string]severity.Level{"DL3009": severity.Info, "DL3015": severity.Info},
		Fixes:   []string{"DL3009", "DL3014", "DL3015", "DL3027"},
		Run:     func(p *transform.Pass) error { return run(p, opts) },
	}
}

func run(p *transform.Pass, opts Options) error {
	f := p.File
	any := false
	f.Walk(func(in *source.Instruction) { any = any || mentionsApt(in) })
	if !any {
		return nil // nothing to fix; spare the shell parser
	}
	runs := map[*source.Stage][]*runInfo{}
	lone := map[*runInfo]*runInfo{}
	for _, st := range f.Stages {
		if err := p.Err(); err != nil {
			return err
		}
		for _, in := range st.Instructions {
			if err := p.Err(); err != nil {
				return err
			}
			if !in.Is("RUN") {
				continue
			}
			r := &runInfo{in: in}
			if mayRunApt(in) {
				r.analyze()
				checkCommands(p, r)
			}
			runs[st] = append(runs[st], r)
		}
		for a, b := range checkMerges(p, st, runs[st]) {
			lone[a] = b
		}
	}
	checkLists(p, opts, f, runs, lone)
	return p.Walk(func(in *source.Instruction) {
		if in.Parent != nil && mentionsApt(in) {
			r := &runInfo{in: in}
			r.analyze()
			checkCommands(p, r)
			checkTrigger(p, opts, r)
		}
	})
}

// mentionsApt reports a RUN that may run apt, apt-get or aptitude.
func mentionsApt(in *source.Instruction) bool {
	return in.Is("RUN") && shellcmd.Mentions(in, "apt")
}

// mayRunApt reports a RUN of a stage that may run apt, apt-get, aptitude,
// apt-cache, apt-file or add-apt-repository, or remove the lists in a
// command that names them: the RUNs run analyses at once. The others
// ("light" RUNs) can hold no such command (Mentions sees every command
// name of the program, except in a heredoc, where a line continuation may
// split a name: a RUN with one is never light), so their only events are
// a script that runs or an rm or find of a directory above the lists;
// plan.walk analyses them only where those count.
func mayRunApt(in *source.Instruction) bool {
	return len(in.Heredocs) > 0 || mentionsApt(in)
}

// mayRemoveLists reports whether the light RUN r may remove the package
// lists: only rm and find do, and both must be named.
func mayRemoveLists(r *runInfo) bool {
	return shellcmd.Mentions(r.in, "rm", "find")
}

// Event kinds, in the order a RUN's commands touch the package lists.
const (
	update = iota + 1 // apt-get update fills the lists
	use               // a command reads the lists
	remove            // rm deletes them
	script            // a shell script runs that may read them
)

type event struct {
	kind int
	cmd  *shellcmd.Command
}

// runInfo is what the rule knows about one RUN.
type runInfo struct {
	in     *source.Instruction
	script *source.Script // nil when the RUN is not a POSIX shell program
	cmds   []*shellcmd.Command
	events []event
	// cached reports a cache or tmpfs mount over the lists: what the
	// RUN does to them does not reach the image.
	cached bool
	// firstUse and firstScript are the first command that uses the
	// lists, and the first that runs a script, before the RUN first
	// updates or removes them; nil when there is none.
	firstUse, firstScript *shellcmd.Command
	// lastKind is update or remove, whichever the RUN does last to the
	// lists (0: neither); lastUpdate is its last update command.
	lastKind   int
	lastUpdate *shellcmd.Command
	// exec reports an exec-form RUN: its command is read (events) but
	// cannot be edited (script is nil).
	exec bool
	// analysed reports that the fields above are set (see analyze).
	analysed bool
}

// analyze reads r's RUN into the fields of r, once.
func (r *runInfo) analyze() {
	if r.analysed {
		return
	}
	r.analysed = true
	in := r.in
	r.cached = shellcmd.CacheCovers(in, listsDir)
	s, err := in.Script()
	if err != nil {
		// An exec-form RUN is read, not edited.
		if c, ok := shellcmd.ExecCommand(in); ok {
			r.exec = true
			r.events = events(c, 0)
			r.summarize()
		}
		return
	}
	r.script = s
	r.cmds = shellcmd.Commands(s)
	for _, c := range r.cmds {
		r.events = append(r.events, events(c, 0)...)
	}
	r.summarize()
}

// summarize sets firstUse, firstScript, lastKind and lastUpdate from the
// events.
func (r *runInfo) summarize() {
	for _, e := range r.events {
		switch e.kind {
		case use:
			if r.lastKind == 0 && r.firstUse == nil {
				r.firstUse = e.cmd
			}
		case script:
			if r.lastKind == 0 && r.firstScript == nil {
				r.firstScript = e.cmd
			}
		case update:
			r.lastKind, r.lastUpdate = update, e.cmd
		case remove:
			r.lastKind = remove
		}
	}
}

// maxInlineDepth bounds the nesting of programs given as strings ("sh -c
// 'su -c \"...\"'") that events reads.
const maxInlineDepth = 3

// events returns what command c does to the package lists. The commands
// of a program c runs from a string ("bash -c '...'") are read in its
// place.
func events(c *shellcmd.Command, depth int) []event {
	if depth < maxInlineDepth {
		if inner, ok := c.Inline(); ok {
			var out []event
			for _, ic := range inner {
				out = append(out, events(ic, depth+1)...)
			}
			return out
		}
	}
	if k := eventKind(c); k != 0 {
		return []event{{k, c}}
	}
	return nil
}

const listsDir = "/var/lib/apt/lists"

// aptGetValueOptions returns apt-get's options that take a value.
func aptGetValueOptions() []string {
	return []string{"-o", "-c", "-t", "-a", "-P", "--option", "--config-file", "--target-release", "--default-release", "--host-architecture", "--build-profiles"}
}

// subcommand returns the index of the subcommand word of an apt, apt-get
// or aptitude command and the parsed line; -1 when there is none.
func subcommand(c *shellcmd.Command) (int, shellcmd.Line) {
	l := c.Parse(aptGetValueOptions()...)
	i := l.Operand(0)
	if i >= 0 && !c.Args[i].Literal {
		i = -1
	}
	return i, l
}

func eventKind(c *shellcmd.Command) int {
	switch c.Name() {
	case "apt-get", "apt", "aptitude":
		i, _ := subcommand(c)
		if i < 0 {
			return 0
		}
		switch c.Args[i].Value {
		case "update":
			return update
		case "dist-clean":
			return remove // apt 2.7: clean, and remove the lists
		case "clean", "autoclean", "remove", "purge", "autoremove", "autopurge", "markauto", "unmarkauto", "hold", "unhold":
			return 0
		}
		return use
	case "apt-cache", "apt-file":
		return use
	case "add-apt-repository":
		if !c.Parse().Has("-n", "--no-update") {
			return update
		}
	case "rm":
		for _, i := range c.Parse().Operands {
			if w := c.Args[i]; w.Literal && removesLists(w.Value) {
				return remove
			}
		}
	case "find":
		l := c.Parse()
		if i := l.Operand(0); i > 0 && c.Args[i].Literal && removesLists(c.Args[i].Value) {
			for _, w := range c.Args[i+1:] {
				if w.Value == "-delete" || w.Value == "-exec" || w.Value == "-execdir" {
					return remove
				}
			}
		}
	case "source", ".":
		return 0 // reads settings into the shell: ~/.bashrc, a virtualenv's activate
	case "make.bash", "all.bash":
		// Go's toolchain bootstrap ("cd /usr/local/go/src &&
		// ./make.bash") builds Go and never calls apt.
		if strings.Contains(c.Args[0].Value, "go/src/") || c.Script != nil && strings.Contains(c.Script.Text, "go/src") {
			return 0
		}
		return script
	default:
		if c.RunsScript() && !c.Downloaded() {
			// An installer fetched and run in one command (curl ... |
			// sh) is written for any image, where the lists are
			// usually empty (official images ship without them): when
			// it needs packages, it runs apt-get update itself.
			// A script given as a string that cannot be read ("bash -c
			// "... rm -rf /var/lib/apt/lists/* $X"") is taken to remove
			// the lists when it mentions removing them.
			pr := syntax.NewPrinter() // one for all the words
			for _, w := range c.Args[1:] {
				if t := wordText(pr, w); strings.Contains(t, "rm ") && strings.Contains(t, listsDir) {
					return remove
				}
			}
			return script
		}
	}
	return 0
}

// wordText returns a word as the shell program spells it, printed with
// pr.
func wordText(pr *syntax.Printer, w shellcmd.Word) string {
	var b strings.Builder
	if err := pr.Print(&b, w.Node); err != nil {
		return w.Value
	}
	return b.String()
}

// removesLists reports whether removing path p (a glob like
// /var/lib/apt/lists/* included) removes the package lists.
func removesLists(p string) bool {
	p = strings.TrimRight(strings.TrimSuffix(p, "*"), "/")
	if p == "" {
		p = "/"
	}
	return shellcmd.Covers(p, listsDir)
}
