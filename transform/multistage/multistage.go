package multistage

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/internal/debmeta"
	"github.com/dockmend/dockmend/internal/runtimebase"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

//go:embed doc.go
var doc string

// Name is the rule's name.
const Name = "multistage"

// Options configure the rule.
type Options struct {
	// RuntimeBases adds to and overrides the built-in table that maps
	// toolchain images to runtime bases (see internal/runtimebase for the
	// pattern syntax): {"golang:*-bookworm": "debian:bookworm-slim"}.
	RuntimeBases map[string]string
	// Releases maps images whose tag does not name their Debian release
	// to it, with the same patterns: {"python:*-slim": "bookworm",
	// "registry.example.com/base": "trixie"}.
	Releases map[string]string
	// BuildArgs are the --build-arg values: they replace the defaults of
	// the global ARGs when the rule reads FROM lines.
	BuildArgs map[string]string
	// Packages names the packages the final stage installs; nil derives
	// them from the package metadata dockmend ships, loaded on first use
	// (share one source across the rules of a run, see
	// NewMetadataSource, so that it is loaded once).
	Packages PackageSource
	// LockTag returns, for an image digest, a tagged reference the lock
	// file pinned to it, so that FROM image@sha256:... still tells its
	// release; nil when there is no lock file.
	LockTag func(digest string) (ref string, ok bool)
}

// Validate checks the options: every RuntimeBases entry must be a valid
// pattern and image reference, every Releases entry a valid pattern and a
// release code name. A configuration loader calls it to report mistakes
// early; New's rule reports the same error on every file.
func (o Options) Validate() error {
	_, err := o.compile()
	return err
}

// ruleOptions is what a run of the rule uses.
type ruleOptions struct {
	table     *runtimebase.Table
	releases  *runtimebase.Table // nil when none are configured
	buildArgs map[string]string
	packages  PackageSource
	lockTag   func(string) (string, bool)
}

var releaseNameRE = regexp.MustCompile(`^[a-z]+$`)

func (o Options) compile() (*ruleOptions, error) {
	table, err := runtimebase.New(o.RuntimeBases)
	if err != nil {
		return nil, err
	}
	ro := &ruleOptions{table: table, buildArgs: o.BuildArgs, packages: o.Packages, lockTag: o.LockTag}
	if len(o.Releases) > 0 {
		ro.releases, err = runtimebase.NewValues(o.Releases, func(v string) error {
			if !releaseNameRE.MatchString(v) {
				return fmt.Errorf("not a release code name (bookworm, trixie)")
			}
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("releases: %w", err)
		}
	}
	if ro.packages == nil {
		ro.packages = NewMetadataSource(debmeta.NewCatalog())
	}
	return ro, nil
}

// New returns the multistage transformer configured by opts.
func New(opts Options) *transform.Transformer {
	ro, err := opts.compile()
	return &transform.Transformer{
		Name:    Name,
		Doc:     transform.MustExtractDoc(doc, Name),
		Default: true,
		Level:   severity.Info,
		Run: func(p *transform.Pass) error {
			if err != nil {
				return fmt.Errorf("runtime bases: %w", err)
			}
			return run(p, ro)
		},
		Inform: func(facts *buildfacts.Facts) *transform.Transformer {
			if facts == nil {
				return nil
			}
			o := opts
			o.Packages = NewFactsSource(facts)
			return New(o)
		},
	}
}

// maxListed bounds the lists a message names.
const maxListed = 4

// maxAnalysed bounds the bytes of the stages the rule analyses (the final
// stage and the stages it builds on), since parts of the analysis take
// time quadratic in a stage's size. The largest Dockerfile of the shared
// corpus has 25,100 bytes.
const maxAnalysed = 128 << 10

// stagesSize returns the bytes the stages span in their file.
func stagesSize(stages []*source.Stage) int {
	n := 0
	for _, s := range stages {
		end := s.From.End
		if len(s.Instructions) > 0 {
			end = s.Instructions[len(s.Instructions)-1].End
		}
		n += end - s.From.Start
	}
	return n
}

func run(p *transform.Pass, o *ruleOptions) error {
	f := p.File
	if len(f.Stages) == 0 {
		return nil
	}
	s := f.Stages[len(f.Stages)-1]
	if windows(s) {
		return nil // never split onto a Linux base
	}
	if s.Base.Text == "" || s.Name == "" && len(s.From.Fields()) != 1 {
		// FROM without an image, or with more than "image AS name": it
		// does not build, and naming the stage would make it worse.
		return nil
	}
	table, buildArgs := o.table, o.buildArgs
	global := globalEnv(f, buildArgs)
	// The stages to analyse: the final one and those it builds on.
	var chain []*source.Stage
	for x, seen := s, map[*source.Stage]bool{}; x != nil && !seen[x]; x = f.StageByName(x.Base.Text) {
		seen[x] = true
		chain = append(chain, x)
	}
	if size := stagesSize(chain); size > maxAnalysed {
		if slices.ContainsFunc(chain, func(x *source.Stage) bool { return mayKeepTools(f, x, table, global) }) {
			p.Report(transform.Finding{
				Start: s.From.Start, End: s.From.End,
				Message: fmt.Sprintf("the final image may keep build tools; not analysed: the final stage and the stages it builds on hold %d bytes, more than the %d this rule reads", size, maxAnalysed),
			})
		}
		return nil
	}
	if parent := f.StageByName(s.Base.Text); parent != nil {
		// The final stage builds on a stage: it has that stage's tools.
		if !mayBuild(s) {
			return nil // no build step, no finding
		}
		var tools []string
		for _, x := range chain {
			if !mayKeepTools(f, x, table, global) {
				continue
			}
			ax, err := analyze(p.Context, f, x, table, global)
			if err != nil {
				return err
			}
			for _, t := range ax.tools() {
				tools = appendNew(tools, t)
			}
		}
		if len(tools) == 0 {
			return nil
		}
		a, err := analyze(p.Context, f, s, table, global)
		if err != nil {
			return err
		}
		if steps := a.buildSteps(); len(steps) > 0 {
			p.Report(transform.Finding{
				Start: s.From.Start, End: s.From.End,
				Message: fmt.Sprintf("the final image keeps build tools (%s) used by %s; no fix: the final stage starts from stage %q, move the build out of it by hand",
					list(tools), list(steps), parent.Name),
			})
		}
		return nil
	}
	if !mayKeepTools(f, s, table, global) || !mayBuild(s) {
		return nil // a finding needs both
	}
	a, err := analyze(p.Context, f, s, table, global)
	if err != nil {
		return err
	}
	tools, steps := a.tools(), a.buildSteps()
	if len(tools) == 0 || len(steps) == 0 {
		return nil
	}
	pl := makePlan(a, o)
	what := fmt.Sprintf("the final image keeps build tools (%s) used by %s", list(tools), list(steps))
	if len(a.problems) > 0 {
		p.Report(transform.Finding{
			Start: s.From.Start, End: s.From.End,
			Message: what + "; no fix: " + strings.Join(a.problems, "; "),
			// Only the packages are missing: a build of the original
			// can name them (Inform).
			NeedsBuild: a.noMetadata != "" && len(a.problems) == 1,
		})
		return nil
	}
	edits, err := pl.edits(a)
	if err != nil {
		return fmt.Errorf("%s:%d: %w", f.Path, s.From.StartLine, err)
	}
	var how []string
	how = append(how, fmt.Sprintf("stage %q keeps the build", pl.name))
	final := fmt.Sprintf("a new final stage FROM %s", pl.base)
	if len(pl.packages) > 0 {
		final += fmt.Sprintf(" installs %s and", list(pl.packages))
	}
	var copied []string
	if pl.staging != "" {
		copied = append(copied, "what "+list(stepsOf(pl.staged))+" installs")
	}
	for _, x := range pl.artifacts {
		copied = append(copied, x.path)
	}
	final += " copies " + list(copied)
	how = append(how, final)
	if n := len(pl.placed) + len(pl.early); n > 0 {
		how = append(how, fmt.Sprintf("and takes over %s", keywords(pl)))
	}
	msg := what + ": split it: " + strings.Join(how, ", ")
	if len(a.opaque) > 0 {
		msg += fmt.Sprintf("; whatever %s writes outside these paths is not copied", list(a.opaque))
	}
	p.Report(transform.Finding{
		Start: s.From.Start, End: s.From.End,
		Message: msg,
		Fix: &transform.Fix{
			Message:       fmt.Sprintf("split into stage %q and a runtime stage FROM %s", pl.name, pl.base),
			Edits:         edits,
			Applicability: transform.Unsafe,
			Isolated:      true,
		},
	})
	return nil
}

// stepsOf names the staged install steps.
func stepsOf(staged []*stagedInstall) []string {
	var out []string
	for _, s := range staged {
		out = appendNew(out, strings.Join(strings.Fields(s.text), " "))
	}
	return out
}

// windows reports a stage for Windows: a Windows base image, the backtick
// escape, a PowerShell or cmd SHELL, or Windows paths in WORKDIR.
func windows(s *source.Stage) bool {
	if s.Windows() || strings.Contains(strings.ToLower(s.Base.Text), "dotnet/framework") {
		return true
	}
	for _, in := range s.Instructions {
		switch in.Keyword {
		case "SHELL":
			var argv []string
			if json.Unmarshal([]byte(in.Args()), &argv) == nil && len(argv) > 0 {
				switch strings.ToLower(strings.TrimSuffix(path.Base(strings.ReplaceAll(argv[0], `\`, "/")), ".exe")) {
				case "powershell", "pwsh", "cmd":
					return true
				}
			}
		case "WORKDIR":
			if isWindowsPath(strings.TrimSpace(in.Args())) {
				return true
			}
		}
	}
	return false
}

// list names up to maxListed items.
func list(items []string) string {
	if len(items) <= maxListed {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:maxListed], ", "), len(items)-maxListed)
}

// keywords names the kinds of instructions the final stage takes over.
func keywords(p *plan) string {
	var kws []string
	for _, in := range slices.Concat(p.early, p.placed) {
		if !slices.Contains(kws, in.Keyword) {
			kws = append(kws, in.Keyword)
		}
	}
	return strings.Join(kws, ", ")
}
