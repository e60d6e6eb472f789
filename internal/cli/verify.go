package cli

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/verify"
)

func newVerify(env *Env) *cobra.Command {
	var o options
	var v verifyFlags
	cmd := &cobra.Command{
		Use:   "verify [flags] [PATH...]",
		Short: "Build each Dockerfile before and after its unsafe fixes and compare the images",
		Long: `Verify checks the fixes that may change what an image contains (the unsafe
ones: --no-install-recommends, the multi-stage split) by building images.
For every Dockerfile such a fix would change, it builds the file twice, as
it is and with the fixes, with the container builder it finds on PATH
(docker, podman or buildah; --builder chooses), and compares the two
images. A rule's fixes hold when the rewritten file

  - builds,
  - keeps the image's configuration (ENTRYPOINT, CMD, USER, ENV, ...),
  - keeps every file the Dockerfile's own steps made,
  - leaves its programs able to find their libraries and interpreters,
  - and, given a smoke command (--smoke, or verify: in .dockmend.yaml),
    makes it exit the same way with the same output.

When several rules made unsafe fixes and not all hold, each rule is built
alone, so that one failing fix does not cost the others. Verify changes no
file: "dockmend fix --verify" writes the fixes that hold.

When the multistage rule cannot name the packages a split image needs at
run time (dockmend ships package metadata for some Debian releases only;
"dockmend rules multistage" says which), verify builds the original anyway
and names them from it: the packages that own the libraries and the
interpreters of the files the build made. The split is then built and
compared like any fix.

With --compare ORIGINAL,REWRITTEN nothing is built: two images you built
yourself, from the two Dockerfiles given as arguments, get the same
comparison and the same size and layer numbers.

Verify exits with 0 when every fix holds, 1 when a rule's fixes were
dropped (--compare: when the rewritten image does not hold), and 2 when a
file could not be verified (its original does not build) or no builder was
found. See docs/verify.md.`,
		Example: `  dockmend verify                                  # every Dockerfile below .
  dockmend verify --smoke 'hello --version' app/   # also run a command in both images
  dockmend verify --format markdown > verify.md    # a table for a pull request
  dockmend fix --verify .                          # write only the fixes that hold
  dockmend verify --compare app:old,app:new old/Dockerfile new/Dockerfile   # two images built elsewhere`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if v.flags.Changed("compare") {
				return v.runCompare(cmd.Context(), env, &o, args)
			}
			return v.run(cmd.Context(), env, &o, args, false)
		},
	}
	v.register(cmd, "verify")
	o.register(cmd)
	// verify always considers the unsafe fixes, and builds files, not
	// standard input.
	cmd.Flags().MarkHidden("unsafe-fixes")
	cmd.Flags().MarkHidden("stdin-filename")
	return cmd
}

// run verifies the files args name; write applies what holds (fix).
func (v *verifyFlags) run(ctx context.Context, env *Env, o *options, args []string, write bool) error {
	if !slices.Contains(verify.Formats, v.format) {
		return usageErr(fmt.Errorf("--format %q: want one of %s", v.format, strings.Join(verify.Formats, ", ")))
	}
	if slices.Contains(args, "-") {
		return usageErr(errNoStdin)
	}
	flags, err := v.build(o)
	if err != nil {
		return err
	}
	s, p, err := o.plan(ctx, env, args)
	if err != nil {
		return err
	}
	defer s.Close()
	var b builder.Builder
	vo := v.session(env, o, &flags, &b)
	if vo.Write = write; write {
		vo.Out = env.Stderr
	}
	sum, res, err := s.Verify(ctx, p, *vo)
	if err != nil || sum == nil {
		return cmp.Or(err, status(res, ExitOK))
	}
	fmt.Fprintf(env.Stderr, "%s (builder: %s)\n", sum, b.Name())
	return status(res, sum.ExitCode())
}

// runCompare is verify --compare: two images already built, from the two
// Dockerfiles args name.
func (v *verifyFlags) runCompare(ctx context.Context, env *Env, o *options, args []string) error {
	if len(v.compare) != 2 || len(args) != 2 {
		return usageErr(errors.New("--compare ORIGINAL-IMAGE,REWRITTEN-IMAGE takes the two Dockerfiles they were built from as arguments"))
	}
	if !slices.Contains(verify.CompareFormats, v.format) {
		return usageErr(fmt.Errorf("--compare --format %q: want one of %s", v.format, strings.Join(verify.CompareFormats, ", ")))
	}
	flags, err := v.build(o)
	if err != nil {
		return err
	}
	s, err := o.session(env, false)
	if err != nil {
		return err
	}
	defer s.Close()
	var b builder.Builder
	c, err := s.Compare(ctx, verify.BuiltImage{Image: v.compare[0], Dockerfile: args[0]},
		verify.BuiltImage{Image: v.compare[1], Dockerfile: args[1]}, *v.session(env, o, &flags, &b))
	if err != nil {
		return err // Main prints it and exits with 2
	}
	if err := verify.WriteComparison(env.Stdout, c, v.format); err != nil {
		return err
	}
	if !c.Passed {
		return exitStatus(ExitFindings)
	}
	return nil
}
