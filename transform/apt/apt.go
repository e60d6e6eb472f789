// This file is longer than 450 lines: it came in before issue 16's rule
// that files say why or are split by concern; split it when next changed.

package apt

import (
	_ "embed"
	"path"
	"regexp"
	"slices"
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
