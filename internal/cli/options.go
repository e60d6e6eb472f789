package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/session"
)

// options are the flags that check, diff and fix share.
type options struct {
	selectRules   []string
	ignoreRules   []string
	unsafeFixes   bool
	configFile    string
	stdinFilename string
	pin           pinFlags

	flags *pflag.FlagSet // the command's flags, to tell which were given
}

// pinFlags are the settings of the pin rule and of digest resolution.
type pinFlags struct {
	mirrors     []string // REGISTRY=URL
	insecure    []string
	platform    string
	lockfile    string
	offline     bool
	refresh     bool
	buildArgs   []string // NAME=VALUE
	contexts    []string // NAME or NAME=VALUE
	concurrency int
}

// register adds the shared flags to cmd, in groups.
func (o *options) register(cmd *cobra.Command) {
	o.registerRules(cmd)
	input := pflag.NewFlagSet("input", pflag.ContinueOnError)
	input.StringVar(&o.stdinFilename, "stdin-filename", "", "with PATH -, the `NAME` of standard input in output and for finding its .dockmend.yaml")
	flaggroup.Add(cmd, "Input", input)
	o.registerPin(cmd)
}

// registerRules adds the flags that select and configure the rules.
func (o *options) registerRules(cmd *cobra.Command) {
	o.flags = cmd.Flags()
	rules := pflag.NewFlagSet("rules", pflag.ContinueOnError)
	rules.StringSliceVar(&o.selectRules, "select", nil, "run only these `RULE,...` (\"all\" for every rule) instead of the default ones")
	rules.StringSliceVar(&o.ignoreRules, "ignore", nil, "do not run these `RULE,...`")
	rules.BoolVar(&o.unsafeFixes, "unsafe-fixes", false, "also apply fixes that may change what the build produces")
	rules.StringVar(&o.configFile, "config", "", "read settings from `FILE` for every Dockerfile instead of the nearest .dockmend.yaml")
	flaggroup.Add(cmd, "Rules and fixes", rules)
}

// registerPin adds the flags of the pin rule and of digest lookups.
func (o *options) registerPin(cmd *cobra.Command) {
	p := &o.pin
	pin := pflag.NewFlagSet("pin", pflag.ContinueOnError)
	pin.StringVar(&p.lockfile, "lockfile", "", "record and reuse resolved digests in `FILE` (JSON, or YAML if named *.yaml)")
	pin.BoolVar(&p.offline, "offline", false, "resolve digests only from the lock file, never from a registry")
	pin.BoolVar(&p.refresh, "refresh", false, "look up pinned digests again and replace the stale ones")
	pin.StringVar(&p.platform, "platform", "", "pin the manifest of `OS/ARCH[/VARIANT]` instead of the multi-platform index")
	pin.StringArrayVar(&p.buildArgs, "build-arg", nil, "give ARG `NAME=VALUE` for image references in FROM lines (repeatable)")
	pin.StringArrayVar(&p.contexts, "build-context", nil, "`NAME` (or NAME=VALUE, as docker takes it) is a named build context, not an image: do not pin it (repeatable)")
	pin.StringArrayVar(&p.mirrors, "registry-mirror", nil, "look up images of `REGISTRY=URL` in a mirror, e.g. docker.io=https://mirror.example (repeatable)")
	pin.StringArrayVar(&p.insecure, "insecure-registry", nil, "reach registry `HOST[:PORT]` over plain HTTP (repeatable)")
	pin.IntVar(&p.concurrency, "concurrency", resolve.DefaultConcurrency, "look up at most `N` digests at once")
	flaggroup.Add(cmd, "Pinning image digests", pin)
}

// session checks the flags and makes the session of the run.
func (o *options) session(env *Env, offlineMissFails bool) (*session.Session, error) {
	over, err := o.overrides()
	if err != nil {
		return nil, usageErr(err)
	}
	return session.New(session.Options{
		Flags: over, ConfigFile: o.configFile,
		Offline: o.pin.offline, Refresh: o.pin.refresh, OfflineMissFails: offlineMissFails,
		Stderr: env.Stderr,
	})
}

// plan makes the session and the plan of a check, diff or fix run over
// args.
func (o *options) plan(ctx context.Context, env *Env, args []string) (*session.Session, *session.Plan, error) {
	in := session.Input{Paths: args, Stdin: env.Stdin, StdinFilename: o.stdinFilename}
	if err := in.Check(); err != nil {
		return nil, nil, err
	}
	s, err := o.session(env, false)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.Plan(ctx, in)
	if err != nil {
		s.Close()
		return nil, nil, err
	}
	return s, p, nil
}

// status returns the exit status of a run: ExitError when it failed,
// else code.
func status(res *session.Result, code int) error {
	if res.Failed {
		code = max(code, ExitError)
	}
	return exitCode(code)
}

// overrides returns the settings given by flags, as a configuration to
// merge over each file's configuration file. It checks the flags' values
// and their combinations.
func (o *options) overrides() (*config.Config, error) {
	c := &config.Config{}
	given := o.flags.Changed
	if given("select") {
		c.Select = append([]string{}, o.selectRules...)
	}
	if given("ignore") {
		c.Ignore = append([]string{}, o.ignoreRules...)
	}
	if given("unsafe-fixes") {
		c.UnsafeFixes = &o.unsafeFixes
	}
	p := o.pin
	var errs []error
	var err error
	if c.RegistryMirrors, err = keyValues("registry-mirror", p.mirrors); err != nil {
		errs = append(errs, err)
	}
	if c.BuildArgs, err = keyValues("build-arg", p.buildArgs); err != nil {
		errs = append(errs, err)
	}
	if given("insecure-registry") {
		c.InsecureRegistries = p.insecure
	}
	if given("build-context") {
		c.BuildContexts = p.contexts
	}
	c.Platform = p.platform
	c.Lockfile = p.lockfile
	if given("concurrency") {
		if p.concurrency < 1 {
			errs = append(errs, fmt.Errorf("--concurrency: must be at least 1, not %d", p.concurrency))
		}
		c.Concurrency = p.concurrency
	}
	if p.offline && p.refresh {
		errs = append(errs, errors.New("--offline and --refresh cannot be used together: refreshing needs the registries"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// keyValues parses repeated KEY=VALUE flags; nil when there are none.
func keyValues(flag string, list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--%s %q: want KEY=VALUE", flag, kv)
		}
		m[k] = v
	}
	return m, nil
}
