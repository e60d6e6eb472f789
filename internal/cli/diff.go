package cli

import (
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/diff"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/session"
)

func newDiff(env *Env) *cobra.Command {
	var o options
	var color string
	var exitCodeFlag bool
	cmd := &cobra.Command{
		Use:   "diff [flags] [PATH...]",
		Short: "Show the fixes as a unified diff, without changing files",
		Long: `Diff prints the changes "dockmend fix" would make, as a unified diff
that "git apply" and "patch -p1" accept. Files are labelled a/PATH and
b/PATH, relative to the current directory. Nothing is written.

Diff exits with 0, or with 1 under --exit-code when there are changes, and
with 2 when a file could not be processed.`,
		Example: `  dockmend diff
  dockmend diff services/ | git apply      # the same as dockmend fix services/
  dockmend diff --exit-code --color never  # in CI: fail when a fix is pending
  dockmend diff --stdin-filename app/Dockerfile - < app/Dockerfile`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			useColor, err := diff.UseColor(color, env.getenv, env.stdoutIsTerminal())
			if err != nil {
				return usageErr(err)
			}
			s, p, err := o.plan(cmd.Context(), env, args)
			if err != nil {
				return err
			}
			defer s.Close()
			var sum report.Fixes
			res, err := s.Run(cmd.Context(), p, session.RunOptions{ShowFailed: true, Emit: func(out driver.Outcome) error {
				sum.Add(out.Result)
				label := diff.PatchPath(out.Result.Path)
				return diff.Write(env.Stdout, "a/"+label, "b/"+label, out.Result.Input, out.Result.Output,
					diff.Options{Context: diff.DefaultContext, Color: useColor})
			}})
			if err != nil {
				return err
			}
			sum.Failed = len(res.Errors)
			fmt.Fprintln(env.Stderr, sum.String("would fix"))
			code := ExitOK
			if exitCodeFlag && sum.Changed > 0 {
				code = ExitFindings
			}
			return status(res, code)
		},
	}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.BoolVar(&exitCodeFlag, "exit-code", false, "exit with 1 when there are changes")
	out.StringVar(&color, "color", "auto", "colour the diff `WHEN`: auto (only on a terminal), always or never")
	flaggroup.Add(cmd, "Output", out)
	o.register(cmd)
	return cmd
}
