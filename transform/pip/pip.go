package pip

import (
	_ "embed"
	"path"
	"regexp"
	"strings"

	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

//go:embed doc.go
var doc string

// Options configure the rule.
type Options struct {
	// CacheMounts fixes with a BuildKit cache mount over /root/.cache/pip
	// instead of --no-cache-dir, in RUNs that run as root.
	CacheMounts bool
}

// Transformer is the pip rule with the default options: pip install gets
// --no-cache-dir.
var Transformer = New(Options{})

// New returns the pip transformer configured by opts.
func New(opts Options) *transform.Transformer {
	return &transform.Transformer{
		Name:    "pip",
		Doc:     transform.MustExtractDoc(doc, "pip"),
		Default: true,
		Level:   severity.Warning,
		Fixes:   []string{"DL3042"},
		Run:     func(p *transform.Pass) error { return run(p, opts) },
	}
}

const noCacheEnv = "PIP_NO_CACHE_DIR"

// pipMounts is the cache mount of the cache-mounts style.
var pipMounts = []string{"type=cache,target=/root/.cache/pip"}

func run(p *transform.Pass, opts Options) error {
	var first map[*source.Stage]*source.Instruction // made when a RUN needs it
	above := map[*source.Stage]bool{}
	return p.Walk(func(in *source.Instruction) {
		if in.Is("RUN") && shellcmd.Mentions(in, "pip") && shellcmd.ImageStage(in) && !cacheMounted(in) {
			if first == nil {
				first = declarations(p.File, noCacheEnv)
			}
			if declared(in, first, above) {
				return
			}
			checkRun(p, opts, in)
		}
	})
}

var (
	pipName    = regexp.MustCompile(`^pip[0-9.]*$`)
	pythonName = regexp.MustCompile(`^python[0-9.]*$`)
)

// valueOptions returns the options of python and pip that take a value.
func valueOptions() []string {
	return []string{"-m", "-W", "-X", "--log", "--log-file", "--proxy", "--retries", "--timeout",
		"--exists-action", "--trusted-host", "--cert", "--client-cert", "--cache-dir", "--python",
		"--src", "-r", "--requirement", "-c", "--constraint", "-e", "--editable", "-i",
		"--index-url", "--extra-index-url", "-f", "--find-links", "-t", "--target", "--root",
		"--prefix", "--platform", "--python-version", "--implementation", "--abi",
		"--upgrade-strategy", "--no-binary", "--only-binary", "--progress-bar", "-C",
		"--config-settings", "--global-option", "--report", "--use-feature", "--keyring-provider",
		"--use-deprecated", "--group"}
}

// install returns the index of the "install" word of a pip install
// command, or -1, and the parsed line.
func install(c *shellcmd.Command) (int, shellcmd.Line) {
	l := c.Parse(valueOptions()...)
	switch name := c.Name(); {
	case pipName.MatchString(name):
	case pythonName.MatchString(name):
		ms := l.Values("-m")
		if len(ms) == 0 || !pipName.MatchString(ms[0]) {
			return -1, l
		}
	default:
		return -1, l
	}
	i := l.Operand(0)
	if i < 0 || !c.Args[i].Literal || c.Args[i].Value != "install" {
		return -1, l
	}
	return i, l
}

func checkRun(p *transform.Pass, opts Options, in *source.Instruction) {
	s, err := in.Script()
	if err != nil || strings.Contains(s.Text, noCacheEnv) {
		return
	}
	for _, c := range shellcmd.Commands(s) {
		i, l := install(c)
		if i < 0 || l.Has("--no-cache-dir", "--cache-dir") {
			continue
		}
		fd := transform.Finding{
			Code:    "DL3042",
			Start:   c.Start(),
			End:     c.Args[i].End,
			Message: "pip install keeps its download and wheel cache in the image",
		}
		if opts.CacheMounts && !c.Sudo() && shellcmd.RootUser(in) {
			if e, ok := shellcmd.AddMounts(in, pipMounts); ok {
				fd.Fix = &transform.Fix{Message: "mount a build cache over /root/.cache/pip (cache-mounts style)", Edits: []transform.Edit{e}}
				p.Report(fd)
				continue
			}
		}
		if c.Editable() {
			fd.Fix = &transform.Fix{Message: "add --no-cache-dir", Edits: []transform.Edit{c.InsertOption(l, i, " --no-cache-dir")}}
		} else {
			fd.Message += "; not fixed: " + c.NotEditable()
		}
		p.Report(fd)
	}
}

// cacheMounted reports a cache or tmpfs mount over pip's cache: root's, or
// a .cache or .cache/pip directory anywhere.
func cacheMounted(in *source.Instruction) bool {
	if shellcmd.CacheCovers(in, "/root/.cache/pip") {
		return true
	}
	for _, m := range shellcmd.Mounts(in) {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		t := path.Clean(m.Target)
		if strings.HasSuffix(t, "/.cache") || strings.HasSuffix(t, "/.cache/pip") {
			return true
		}
	}
	return false
}

// declarations maps each stage with an ENV or ARG that sets name to the
// first of them.
func declarations(f *source.File, name string) map[*source.Stage]*source.Instruction {
	first := map[*source.Stage]*source.Instruction{}
	for _, st := range f.Stages {
		for _, x := range st.Instructions {
			if (x.Is("ENV") || x.Is("ARG")) && declares(x, name) {
				first[st] = x
				break
			}
		}
	}
	return first
}

// declared reports whether an ENV or ARG sets the variable before in, in
// its stage or in the stages it builds FROM; first is what declarations
// returned for it, and above caches, for each stage, whether a stage it
// builds FROM declares it. For an ONBUILD trigger, which runs in an image
// built on this stage, the whole stage counts.
func declared(in *source.Instruction, first map[*source.Stage]*source.Instruction, above map[*source.Stage]bool) bool {
	st := in.Stage
	if st == nil {
		return false
	}
	if x := first[st]; x != nil && (in.Parent != nil || x.Start < in.Start) {
		return true
	}
	return inAncestors(in.File, st, first, above)
}

// inAncestors reports whether a stage that st builds FROM, directly or
// not, other than st itself, declares the variable; above caches the
// answer of each stage, so that each FROM line is followed once per file.
// A chain of FROMs may loop back (StageByName finds later stages too);
// each stage of the loop then builds on all the others.
func inAncestors(f *source.File, st *source.Stage, first map[*source.Stage]*source.Instruction, above map[*source.Stage]bool) bool {
	if v, ok := above[st]; ok {
		return v
	}
	// Follow the FROMs until a stage without a parent stage, one already
	// answered, or one already on the path (a loop).
	var path []*source.Stage
	onPath := map[*source.Stage]int{}
	x := st
	next := false // the answer including the stage after the path
	for {
		onPath[x] = len(path)
		path = append(path, x)
		parent := f.StageByName(x.Base.Text)
		if parent == nil {
			next = false
			above[x] = false
			break
		}
		if v, ok := above[parent]; ok {
			next = first[parent] != nil || v
			above[x] = next
			break
		}
		if k, ok := onPath[parent]; ok {
			loop := path[k:]
			n := 0
			for _, y := range loop {
				if first[y] != nil {
					n++
				}
			}
			for _, y := range loop {
				own := 0
				if first[y] != nil {
					own = 1
				}
				above[y] = n-own > 0
			}
			path = path[:k]
			next = n > 0
			break
		}
		x = parent
	}
	// The stages before the end of the path, last first: each builds on
	// the one after it.
	for i := len(path) - 1; i >= 0; i-- {
		y := path[i]
		if _, ok := above[y]; !ok {
			above[y] = next
		}
		next = first[y] != nil || above[y]
	}
	return above[st]
}

// declares reports whether an ENV or ARG instruction sets name, in the
// NAME=value or the legacy "ENV NAME value" form.
func declares(x *source.Instruction, name string) bool {
	if !strings.Contains(x.Args(), name) {
		return false // a field names it only if the text does
	}
	for i, f := range x.Fields() {
		k, _, hasValue := strings.Cut(f.Text, "=")
		if k == name && (hasValue || i == 0 || x.Is("ARG")) {
			return true
		}
	}
	return false
}
