package session

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/debmeta"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/multistage"
	"github.com/dockmend/dockmend/transform/pin"
	"github.com/dockmend/dockmend/transform/tag"
)

// newSettings checks the flags' settings and returns the settings they
// give, with reg making the digest resolvers.
func newSettings(opts Options, reg *registries) (*settings, error) {
	known := opts.Rules
	if known == nil {
		known = ruleset.All(ruleset.Config{})
	}
	if err := checkRuleKeys(opts.Flags, known); err != nil {
		return nil, UsageError{err}
	}
	s := &settings{over: opts.Flags, known: known, finder: config.NewFinder(), reg: reg, byConfig: map[*config.Config]setting{},
		packages: multistage.NewMetadataSource(debmeta.NewCatalog())}
	if opts.ConfigFile != "" {
		var err error
		if s.fixed, err = config.Load(opts.ConfigFile); err != nil {
			return nil, PathError(err)
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
	return &settings{over: s.over, fixed: s.fixed, known: s.known, finder: config.NewFinder(), reg: s.reg, byConfig: map[*config.Config]setting{}, confine: confine, packages: s.packages}
}

// settings computes and caches the engine options of each configuration.
type settings struct {
	over     *config.Config           // from flags
	fixed    *config.Config           // --config, or nil
	known    []*transform.Transformer // every rule, unconfigured
	finder   *config.Finder
	reg      *registries
	byConfig map[*config.Config]setting
	// confine, when not "", is the directory that the configuration
	// files found, and the files they name, must lie in: a repository's
	// own configuration may not reach outside the repository.
	confine string
	// packages names the multistage rule's run-time packages; shared by
	// every configuration, so that the package metadata loads once.
	packages multistage.PackageSource
}

// settingsError is a problem with the settings of files (a configuration
// file, the lock file it names) rather than with one file.
type settingsError struct{ error }

func (e settingsError) Unwrap() error { return e.error }

type setting struct {
	opts engine.Options
	cfg  *config.Config // the flags merged over the configuration file
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
// selects the rules and configures them: once per configuration, so that
// every file of a configuration shares its rules (and each rule's Prepare
// runs once for them all).
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
		po, err := s.reg.pinOptions(m)
		if err != nil {
			return setting{err: err}
		}
		rc.Pin = *po
	}
	if hasRule(selected, tag.Name) {
		res, err := s.reg.resolver(m)
		if err != nil {
			return setting{err: err}
		}
		rc.Tag = tag.Options{Registry: res, BuildArgs: m.BuildArgs}
	}
	rc.Multistage = multistage.Options{RuntimeBases: m.RuntimeBases, Releases: m.Releases, BuildArgs: m.BuildArgs, Packages: s.packages}
	if hasRule(selected, pin.Name) {
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
	st.opts = engine.Options{Transformers: ruleset.Configure(selected, rc), UnsafeFixes: m.UnsafeFixesEnabled()}
	st.cfg = m
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

// configFile returns the path of the --config file, or "".
func (s *settings) configFile() string {
	if s.fixed == nil {
		return ""
	}
	return s.fixed.Path
}
