package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/debmeta"
	"github.com/dockmend/dockmend/internal/discover"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/multistage"
	"github.com/dockmend/dockmend/transform/pin"
)

// plan is the work of one check, diff or fix: the files with their
// settings, and the problems found while collecting them.
type plan struct {
	files []*driver.File
	// errs are discovery and configuration errors, one per problem.
	errs []error
	// stdin reports that the only file is standard input.
	stdin bool
	// reg holds the digest resolvers and lock files of the run.
	reg *registries
	// pins are the pin rule's options of the files it runs on.
	pins map[*driver.File]*pin.Options
}

// plan finds the files named by args and the settings of each. Errors in
// the arguments or flags are returned; a file that cannot be found or
// configured is left out and its error added to the plan.
func (o *options) plan(ctx context.Context, env *Env, args []string) (*plan, error) {
	stdin := slices.Contains(args, "-")
	switch {
	case stdin && len(args) > 1:
		return nil, usageError{errors.New("standard input (-) cannot be combined with other paths")}
	case o.stdinFilename != "" && !stdin:
		return nil, usageError{errors.New("--stdin-filename needs the path - (standard input)")}
	}
	s, err := o.newSettings(env, newRegistries(o.pin))
	if err != nil {
		return nil, err
	}
	p := &plan{stdin: stdin, reg: s.reg, pins: map[*driver.File]*pin.Options{}}
	if stdin {
		data, err := io.ReadAll(env.Stdin)
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		name := o.stdinFilename
		if name == "" {
			name = "-"
		}
		st, err := s.forFile(name)
		if err != nil {
			return nil, err
		}
		p.add(&driver.File{Path: name, Name: name, Data: data}, st)
		return p, nil
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if err := s.discover(ctx, p, args); err != nil {
		return nil, err
	}
	return p, nil
}

// newSettings checks the flags and returns the settings they give, with
// reg making the digest resolvers.
func (o *options) newSettings(env *Env, reg *registries) (*settings, error) {
	over, err := o.overrides()
	if err != nil {
		return nil, usageError{err}
	}
	known := env.rules(ruleset.Config{})
	if err := checkRuleKeys(over, known); err != nil {
		return nil, usageError{err}
	}
	s := &settings{over: over, all: env.rules, known: known, finder: config.NewFinder(), reg: reg, byConfig: map[*config.Config]setting{},
		packages: multistage.NewMetadataSource(debmeta.NewCatalog())}
	if o.configFile != "" {
		if s.fixed, err = config.Load(o.configFile); err != nil {
			return nil, pathError(err)
		}
	}
	return s, nil
}

// fresh returns settings with the same flags, rules and --config file,
// but their own lookups of configuration files: migrate takes one for
// each repository's worktree, which is removed afterwards.
func (s *settings) fresh() *settings {
	return &settings{over: s.over, fixed: s.fixed, all: s.all, known: s.known, finder: config.NewFinder(), reg: s.reg, byConfig: map[*config.Config]setting{}, packages: s.packages}
}

// add adds a file with its settings to the plan.
func (p *plan) add(f *driver.File, st setting) {
	f.Options = st.opts
	p.files = append(p.files, f)
	if st.pin != nil {
		p.pins[f] = st.pin
	}
}

// discover adds the Dockerfiles found under roots (files or directories)
// to the plan, each with its settings. Problems with single files or
// configuration files go to p.errs; only ctx's error is returned.
func (s *settings) discover(ctx context.Context, p *plan, roots []string) error {
	seen := map[string]bool{}
	reported := map[string]bool{}
	for _, root := range roots {
		paths, errs := discover.Files(ctx, []string{root})
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, err := range errs {
			p.errs = append(p.errs, pathError(err))
		}
		for _, path := range paths {
			// A file reached twice, by its name and through a symbolic
			// link, is processed once: writing it twice would fail.
			real, err := filepath.EvalSymlinks(path)
			if err != nil {
				real = path
			}
			if seen[real] {
				continue
			}
			seen[real] = true
			explicit := path == filepath.Clean(root)
			st, err := s.forFile(path)
			if err != nil {
				if !reported[err.Error()] {
					reported[err.Error()] = true
					p.errs = append(p.errs, err)
				}
				continue
			}
			if !explicit && s.excluded(path) {
				continue
			}
			p.add(&driver.File{Path: path}, st)
		}
	}
	return nil
}

// settings computes and caches the engine options of each configuration.
type settings struct {
	over     *config.Config // from flags
	fixed    *config.Config // --config, or nil
	all      func(ruleset.Config) []*transform.Transformer
	known    []*transform.Transformer
	finder   *config.Finder
	reg      *registries
	byConfig map[*config.Config]setting
	// packages names the multistage rule's run-time packages; shared by
	// every configuration, so that the package metadata loads once.
	packages multistage.PackageSource
}

type setting struct {
	opts engine.Options
	pin  *pin.Options // nil when the pin rule does not run
	err  error
}

// configFor returns the configuration file that applies to path, or nil.
func (s *settings) configFor(path string) (*config.Config, error) {
	if s.fixed != nil {
		return s.fixed, nil
	}
	return s.finder.For(path)
}

func (s *settings) excluded(path string) bool {
	c, err := s.configFor(path)
	return err == nil && c != nil && c.Excluded(path)
}

// forFile returns the settings of the file at path.
func (s *settings) forFile(path string) (setting, error) {
	c, err := s.configFor(path)
	if err != nil {
		return setting{}, err
	}
	st, ok := s.byConfig[c]
	if !ok {
		st = s.build(c)
		s.byConfig[c] = st
	}
	return st, st.err
}

// build merges the flags over a configuration file (nil for none),
// selects the rules and configures them.
func (s *settings) build(c *config.Config) setting {
	if c != nil {
		if err := checkRuleKeys(c, s.known); err != nil {
			return setting{err: err}
		}
	}
	m := config.Merge(c, s.over)
	ignore := m.Ignore
	if !m.PinEnabled() && hasRule(s.known, pin.Name) {
		// A repository's policy against digests holds even when the
		// command line selects pin.
		ignore = append(slices.Clone(ignore), pin.Name)
	}
	selected, err := ruleset.Select(s.known, m.Select, ignore)
	if err != nil {
		return setting{err: err}
	}
	var st setting
	var rc ruleset.Config
	if hasRule(selected, pin.Name) {
		if st.pin, err = s.reg.pinOptions(m); err != nil {
			return setting{err: err}
		}
		rc.Pin = *st.pin
	}
	rc.Multistage = multistage.Options{RuntimeBases: m.RuntimeBases, Releases: m.Releases, BuildArgs: m.BuildArgs, Packages: s.packages}
	if st.pin != nil {
		// The lock file pin uses: a digest-only FROM tells its release
		// through the tag pinned to it.
		rc.Multistage.LockTag = s.reg.lockTag(m)
	}
	if c != nil {
		if err := rc.Multistage.Validate(); err != nil {
			key, msg := "runtime-bases", err.Error()
			if rest, ok := strings.CutPrefix(msg, "releases: "); ok {
				key, msg = "releases", rest
			}
			return setting{err: c.Errorf(key, "%s", msg)}
		}
	}
	ts, err := ruleset.Select(s.all(rc), m.Select, ignore)
	if err != nil {
		return setting{err: err}
	}
	st.opts = engine.Options{Transformers: ts, UnsafeFixes: m.UnsafeFixesEnabled()}
	return st
}

func hasRule(ts []*transform.Transformer, name string) bool {
	return slices.ContainsFunc(ts, func(t *transform.Transformer) bool { return t.Name == name })
}

// checkRuleKeys checks the rule names of c's select and ignore.
func checkRuleKeys(c *config.Config, known []*transform.Transformer) error {
	if err := checkRules(known, c.Select); err != nil {
		return c.Errorf("select", "%v", err)
	}
	if err := checkRules(known, c.Ignore); err != nil {
		return c.Errorf("ignore", "%v", err)
	}
	return nil
}

// checkRules reports names that are not rules.
func checkRules(known []*transform.Transformer, names []string) error {
	for _, n := range names {
		if n != "all" && !hasRule(known, n) {
			var all []string
			for _, t := range known {
				all = append(all, t.Name)
			}
			return fmt.Errorf("unknown rule %q (rules: %s)", n, strings.Join(all, ", "))
		}
	}
	return nil
}

// pathError turns "lstat x: no such file or directory" into
// "x: no such file or directory".
func pathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
