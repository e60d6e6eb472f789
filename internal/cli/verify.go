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
		Use:     "verify [flags] [PATH...]",
		Short:   "Build each Dockerfile before and after its unsafe fixes and compare the images",
		Long:    helpText("verify"),
		Example: helpText("verify.example"),
		Args:    cobra.ArbitraryArgs,
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
	vo := v.session(env, flags, &b)
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
	c, err := s.Compare(ctx, verify.BuiltImage{Image: v.compare[0], Dockerfile: args[0]},
		verify.BuiltImage{Image: v.compare[1], Dockerfile: args[1]}, *v.session(env, flags, nil))
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
