package cli

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/diff"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/severity"
)

// options are the flags that check, diff and fix share.
type options struct {
	selectRules   []string
	ignoreRules   []string
	unsafeFixes   bool
	configFile    string
	stdinFilename string
	pin           pinFlags
	color         string
	// failureThreshold is check's --failure-threshold.
	failureThreshold severity.Level

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

// registerColor adds --color to the command's output flags.
func (o *options) registerColor(out *pflag.FlagSet) {
	out.StringVar(&o.color, "color", "auto", "colour the output `WHEN`: auto (on a terminal, unless NO_COLOR is set), always or never")
}

// useColor reports whether to colour what goes to a terminal or not.
func (o *options) useColor(env *Env, terminal bool) (bool, error) {
	use, err := diff.UseColor(o.color, env.getenv, terminal)
	if err != nil {
		return false, usageErr(err)
	}
	return use, nil
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
// merge over each file's configuration file.
func (o *options) overrides() (*config.Config, error) {
	p := o.pin
	return config.Flags{
		Given:  o.flags.Changed,
		Select: o.selectRules, Ignore: o.ignoreRules,
		UnsafeFixes: o.unsafeFixes, FailureThreshold: o.failureThreshold,
		RegistryMirrors: p.mirrors, BuildArgs: p.buildArgs,
		InsecureRegistries: p.insecure, BuildContexts: p.contexts,
		Platform: p.platform, Lockfile: p.lockfile, Concurrency: p.concurrency,
		Offline: p.offline, Refresh: p.refresh,
	}.Config()
}
