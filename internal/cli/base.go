package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/base"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/severity"
)

func newBase(env *Env) *cobra.Command {
	cfg := base.Config{FailureThreshold: severity.Warning}
	var mirrors, buildArgs []string
	var noVariants bool
	var maxLayerMB int64
	var configFile string
	cmd := &cobra.Command{
		Use:     "base [flags] [PATH...]",
		Short:   "Judge the base images: size, age, end of life, stale pins, smaller variants, vulnerabilities",
		Long:    helpText("base"),
		Example: helpText("base.example"),
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			// The registry settings, build args and platform are the
			// session's: the flags' over each file's .dockmend.yaml.
			flags := &config.Config{InsecureRegistries: cfg.Insecure}
			var err error
			if flags.RegistryMirrors, err = config.KeyValues("registry-mirror", mirrors); err != nil {
				return usageErr(err)
			}
			if flags.BuildArgs, err = config.KeyValues("build-arg", buildArgs); err != nil {
				return usageErr(err)
			}
			if maxLayerMB < 1 {
				return usageErr(fmt.Errorf("--max-layer-mb: must be at least 1, not %d", maxLayerMB))
			}
			if cmd.Flags().Changed("platform") {
				flags.Platform = cfg.Options.Platform
			}
			if cfg.Concurrency > 0 {
				flags.Concurrency = cfg.Concurrency
			}
			if err := flags.Validate(); err != nil {
				return usageErr(err)
			}
			s, err := session.New(session.Options{Flags: flags, ConfigFile: configFile, Stderr: env.Stderr})
			if err != nil {
				return err
			}
			defer s.Close()
			cfg.Paths = args
			cfg.Options.Variants = !noVariants
			cfg.Options.MaxLayerBytes = maxLayerMB << 20
			cfg.Options.Concurrency = cfg.Concurrency
			code, err := s.Base(cmd.Context(), session.Input{Paths: args, Stdin: env.Stdin}, cfg, env.Stdout)
			if err != nil {
				return err
			}
			return exitCode(code)
		},
	}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.StringVar(&cfg.Format, "format", "text", "write the report as `text`, json, sarif (SARIF 2.1.0) or markdown")
	out.Var(&cfg.FailureThreshold, "failure-threshold", "exit with 1 on findings at `LEVEL` or above: error, warning, info, style or none")
	flaggroup.Add(cmd, "Output", out)

	img := pflag.NewFlagSet("images", pflag.ContinueOnError)
	img.StringVar(&cfg.Options.Platform, "platform", base.DefaultPlatform, "judge the images for `OS/ARCH[/VARIANT]` where a FROM names no platform")
	img.StringArrayVar(&buildArgs, "build-arg", nil, "give ARG `NAME=VALUE` for image references built from ARGs (repeatable)")
	img.BoolVar(&noVariants, "no-variants", false, "do not list the repository's tags for smaller variants")
	img.IntVar(&cfg.Options.VariantRequests, "variant-requests", 20, "spend at most `N` registry requests per base on variants")
	img.BoolVar(&cfg.Options.Packages, "packages", false, "read the installed packages and os-release from the image layers")
	img.Int64Var(&maxLayerMB, "max-layer-mb", 512, "read at most `MB` mebibytes of one image's layers, then give up on its packages")
	flaggroup.Add(cmd, "Images", img)

	vul := pflag.NewFlagSet("vulns", pflag.ContinueOnError)
	vul.BoolVar(&cfg.Options.Vulns, "vulns", false, "match the installed packages against the vulnerability database (implies --packages)")
	vul.StringVar(&cfg.VulnDBDir, "vuln-db", "", "read OSV's `DIR`/Debian/all.zip, Ubuntu/all.zip, Alpine/all.zip (default: the user cache)")
	vul.BoolVar(&cfg.UpdateDB, "update-db", false, "download the OSV database into --vuln-db first (then, with PATHs, check them with --vulns)")
	vul.StringVar(&cfg.VulnDBURL, "vuln-db-url", "", "download from `URL`/<Ecosystem>/all.zip instead of OSV's bucket")
	flaggroup.Add(cmd, "Vulnerabilities", vul)

	reg := pflag.NewFlagSet("registries", pflag.ContinueOnError)
	reg.StringArrayVar(&mirrors, "registry-mirror", nil, "look up images of `REGISTRY=URL` in a mirror, e.g. docker.io=https://mirror.example (repeatable)")
	reg.StringArrayVar(&cfg.Insecure, "insecure-registry", nil, "reach registry `HOST[:PORT]` over plain HTTP (repeatable)")
	reg.IntVar(&cfg.Concurrency, "concurrency", resolve.DefaultConcurrency, "inspect at most `N` images at once")
	reg.StringVar(&configFile, "config", "", "read settings from `FILE` for every Dockerfile instead of the nearest .dockmend.yaml")
	flaggroup.Add(cmd, "Registries", reg)
	return cmd
}
