package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/debmeta"
	"github.com/dockmend/dockmend/internal/discover"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/multistage"
	"github.com/dockmend/dockmend/transform/pin"
	"github.com/dockmend/dockmend/transform/tag"
)

// plan is the work of one check, diff or fix: the files with their
// settings, and the problems found while collecting them.
type plan struct {
	files []*driver.File
	// errs are discovery and configuration errors, one per problem.
	errs []error
	// warnings are about configuration files, and stopped nothing.
	warnings []config.Warning
	// skipped are the FIFOs, devices and the like with Dockerfile names
	// that discovery left out; they are reported as warnings.
	skipped []discover.Skipped
	// stdin reports that the only file is standard input.
	stdin bool
	// stdinData is what was read of standard input; stdinRest, when not
	// nil, is the rest of it, left unread because the input is over
	// source.MaxFileSize (and not processed).
	stdinData []byte
	stdinRest io.Reader
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
		// Reading one byte over the limit is enough to know it is too
		// large.
		data, err := io.ReadAll(io.LimitReader(env.Stdin, source.MaxFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		name := o.stdinFilename
		if name == "" {
			name = "-"
		}
		p.stdinData = data
		if len(data) > source.MaxFileSize {
			p.stdinRest = env.Stdin
			p.errs = append(p.errs, driver.TooLargeError(name, -1))
			return p, nil
		}
		st, err := s.forFile(name)
		if err != nil {
			return nil, err
		}
		p.add(&driver.File{Path: name, Name: name, Data: data}, st)
		p.warnings = s.finder.Warnings()
		return p, nil
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if err := s.discover(ctx, p, args); err != nil {
		return nil, err
	}
	p.warnings = s.finder.Warnings()
	return p, nil
}

// echoStdin copies standard input, as read, to w: what fix - prints when
// it cannot fix the input.
func (p *plan) echoStdin(w io.Writer) error {
	if _, err := w.Write(p.stdinData); err != nil {
		return err
	}
	if p.stdinRest != nil {
		if _, err := io.Copy(w, p.stdinRest); err != nil {
			return fmt.Errorf("copying standard input: %w", err)
		}
	}
	return nil
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
// each repository's worktree, which is removed afterwards. The
// configuration files found must lie in the directory confine, and so
// must the files they name.
func (s *settings) fresh(confine string) *settings {
	return &settings{over: s.over, fixed: s.fixed, all: s.all, known: s.known, finder: config.NewFinder(), reg: s.reg, byConfig: map[*config.Config]setting{}, confine: confine, packages: s.packages}
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
		found := discover.Find(ctx, []string{root})
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, err := range found.Errs {
			p.errs = append(p.errs, pathError(err))
		}
		p.skipped = append(p.skipped, found.Skipped...)
		for _, path := range found.Files {
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
					p.errs = append(p.errs, settingsError{err})
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
	// confine, when not "", is the directory that the configuration
	// files found, and the files they name, must lie in: a repository's
	// own configuration may not reach outside the repository.
	confine string
}

// settingsError is a problem with the settings of files (a configuration
// file, the lock file it names) rather than with one file.
type settingsError struct{ error }

func (e settingsError) Unwrap() error { return e.error }

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
	if c != nil && c != s.fixed {
		if err := s.checkConfined(c, m); err != nil {
			return setting{err: err}
		}
	}
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
	if hasRule(selected, tag.Name) {
		res, err := s.reg.resolver(m)
		if err != nil {
			return setting{err: err}
		}
		rc.Tag = tag.Options{Registry: res, BuildArgs: m.BuildArgs}
	}
	rc.Multistage = multistage.Options{RuntimeBases: m.RuntimeBases, Releases: m.Releases, BuildArgs: m.BuildArgs, Packages: s.packages}
	if st.pin != nil {
		// The lock file pin uses: a digest-only FROM tells its release
		// through the tag pinned to it.
		rc.Multistage.LockTag = s.reg.lockTag(m)
	}
	rc.CacheMounts = m.CacheMountsEnabled()
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

// checkConfined checks that the files a configuration file found by the
// search names lie in its repository, following symbolic links: the lock
// file, when the flags do not name another (m is the merged
// configuration). The repository is s.confine in migrate, where the
// configuration file itself must lie in it too; otherwise the directory
// holding .git above the configuration file (where the search for it
// stops), or, outside any repository, the configuration file's own
// directory. A repository checked out from someone else (a pull request)
// cannot make dockmend write outside it.
func (s *settings) checkConfined(c, m *config.Config) error {
	root, where := s.confine, "the repository; a repository's configuration may only name files inside it"
	if root != "" {
		if _, ok, err := atomicfile.Within(root, c.Path); err != nil {
			return fmt.Errorf("%s: %w", c.Path, err)
		} else if !ok {
			return fmt.Errorf("%s: a symbolic link to a file outside the repository; a repository's configuration must be inside it", c.Path)
		}
	} else if root = repositoryRoot(c.Dir); root == "" {
		root, where = c.Dir, "the configuration file's directory; outside a repository, a configuration file may only name files below it"
	}
	if c.Lockfile == "" || m.Lockfile != c.Lockfile {
		return nil
	}
	if _, ok, err := atomicfile.Within(root, c.LockfilePath()); err != nil {
		return c.Errorf("lockfile", "%s: %v", c.Lockfile, err)
	} else if !ok {
		return c.Errorf("lockfile", "%s is outside %s", c.Lockfile, where)
	}
	return nil
}

// repositoryRoot returns the nearest directory from dir up that holds
// .git, or "".
func repositoryRoot(dir string) string {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return ""
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(filepath.Join(d, ".git")); err == nil {
			return d
		}
		if filepath.Dir(d) == d {
			return ""
		}
	}
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
