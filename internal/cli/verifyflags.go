package cli

import (
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/verify"
)

// verifyFlags are the flags of verify, and of fix --verify and migrate
// --verify.
type verifyFlags struct {
	verify                      bool // fix and migrate: --verify
	builder, context, target    string
	smoke, format               string
	compare                     []string // verify --compare ORIGINAL,REWRITTEN
	keepImages, verbose, strict bool
	jobs                        int
	timeout                     time.Duration
	flags                       *pflag.FlagSet
}

// register adds the flags to cmd, the command named by kind: "verify",
// "fix" or "migrate" (which has --jobs of its own).
func (v *verifyFlags) register(cmd *cobra.Command, kind string) {
	fs := pflag.NewFlagSet("verify", pflag.ContinueOnError)
	if kind != "verify" {
		fs.BoolVar(&v.verify, "verify", false, "apply the unsafe fixes too, but only those that pass dockmend verify (builds the images)")
	}
	fs.StringVar(&v.builder, "builder", "", "build with `NAME` (docker, podman, buildah, or a path to one); default: the first found")
	fs.StringVar(&v.context, "context", "", "build context `DIR`; default: the Dockerfile's directory")
	fs.StringVar(&v.target, "target", "", "build `STAGE` instead of the last one")
	fs.StringVar(&v.smoke, "smoke", "", "run `'CMD ARGS'` in both images (in place of CMD); '' runs the image's own command")
	v.jobs = 1
	if kind != "migrate" {
		fs.IntVar(&v.jobs, "jobs", 1, "verify `N` Dockerfiles at once (builds are heavy)")
	}
	fs.DurationVar(&v.timeout, "timeout", 30*time.Minute, "stop a build or smoke run after `DURATION`")
	fs.BoolVar(&v.keepImages, "keep-images", false, "keep the built images (localhost/dockmend-verify-*)")
	fs.BoolVar(&v.strict, "strict", false, "fail a fix when a file the steps made has other content (builds are rarely byte-identical)")
	fs.BoolVarP(&v.verbose, "verbose", "v", false, "show the builder's output")
	v.format = "text"
	if kind == "verify" {
		fs.StringVar(&v.format, "format", "text", "report as `FORMAT`: text, json or markdown")
		fs.StringSliceVar(&v.compare, "compare", nil, "build nothing: compare two images you built, `ORIGINAL,REWRITTEN`; the arguments are the two Dockerfiles they were built from (--format text or json)")
	}
	v.flags = cmd.Flags()
	flaggroup.Add(cmd, "Verify (--build-arg and --platform also apply to the builds)", fs)
}

// build checks the flags and returns the build settings they give, over
// each file's configuration.
func (v *verifyFlags) build(o *options) (verify.Build, error) {
	b := verify.Build{Context: v.context, Target: v.target, Platform: o.pin.platform}
	if v.jobs < 1 {
		return b, usageErr(fmt.Errorf("--jobs: must be at least 1, not %d", v.jobs))
	}
	var err error
	if b.BuildArgs, err = config.KeyValues("build-arg", o.pin.buildArgs); err != nil {
		return b, usageErr(err)
	}
	if v.flags.Changed("smoke") {
		words, err := config.ShellWords(v.smoke)
		if err != nil {
			return b, usageErr(fmt.Errorf("--smoke: %v", err))
		}
		b.Smoke = &verify.Smoke{Args: words}
	}
	return b, nil
}

// session returns the verification's settings for the session: the
// builds the flags ask for, and how to run them. found is set to the
// builder found, once there is something to verify.
func (v *verifyFlags) session(env *Env, build verify.Build, found *builder.Builder) *session.VerifyOptions {
	opts := verify.Options{Jobs: v.jobs, Timeout: v.timeout, KeepImages: v.keepImages, Strict: v.strict}
	if env.stderrIsTerminal() || v.verbose {
		opts.Progress = env.Stderr
	}
	if v.verbose {
		opts.Log = env.Stderr
	}
	return &session.VerifyOptions{Builder: v.builder, Found: found, Build: build, Options: opts, Format: v.format, Out: env.Stdout}
}

var errNoStdin = errors.New("verify builds files in their build context: standard input (-) cannot be verified")
