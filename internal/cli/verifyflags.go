package cli

import (
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// verifyFlags are the flags of verify and of fix --verify.
type verifyFlags struct {
	verify                      bool // fix --verify
	builder, context, target    string
	smoke, format               string
	keepImages, verbose, strict bool
	jobs                        int
	timeout                     time.Duration
	flags                       *pflag.FlagSet
}

func (v *verifyFlags) register(cmd *cobra.Command, forFix bool) {
	fs := pflag.NewFlagSet("verify", pflag.ContinueOnError)
	if forFix {
		fs.BoolVar(&v.verify, "verify", false, "apply the unsafe fixes too, but only those that pass dockmend verify (builds the images)")
	}
	fs.StringVar(&v.builder, "builder", "", "build with `NAME` (docker, podman, buildah, or a path to one); default: the first found")
	fs.StringVar(&v.context, "context", "", "build context `DIR`; default: the Dockerfile's directory")
	fs.StringVar(&v.target, "target", "", "build `STAGE` instead of the last one")
	fs.StringVar(&v.smoke, "smoke", "", "run `'CMD ARGS'` in both images (in place of CMD); '' runs the image's own command")
	fs.IntVar(&v.jobs, "jobs", 1, "verify `N` Dockerfiles at once (builds are heavy)")
	fs.DurationVar(&v.timeout, "timeout", 30*time.Minute, "stop a build or smoke run after `DURATION`")
	fs.BoolVar(&v.keepImages, "keep-images", false, "keep the built images (localhost/dockmend-verify-*)")
	fs.BoolVar(&v.strict, "strict", false, "fail a fix when a file the steps made has other content (builds are rarely byte-identical)")
	fs.BoolVarP(&v.verbose, "verbose", "v", false, "show the builder's output")
	v.format = "text"
	if !forFix {
		fs.StringVar(&v.format, "format", "text", "report as `FORMAT`: text, json or markdown")
	}
	v.flags = cmd.Flags()
	addGroup(cmd, "Verify (--build-arg and --platform also apply to the builds)", fs)
}
