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
	var exitCodeFlag, list, quiet bool
	cmd := &cobra.Command{
		Use:     "diff [flags] [PATH...]",
		Short:   "Show the fixes as a unified diff, without changing files",
		Long:    helpText("diff"),
		Example: helpText("diff.example"),
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			useColor, err := o.useColor(env, env.stdoutIsTerminal())
			if err != nil {
				return err
			}
			s, p, err := o.plan(cmd.Context(), env, args)
			if err != nil {
				return err
			}
			defer s.Close()
			var sum report.Fixes
			run := session.RunOptions{ShowFailed: true, Quiet: quiet, Progress: env.stderrIsTerminal()}
			run.Emit = func(out driver.Outcome) error {
				sum.Add(out.Result)
				if list {
					if !out.Result.Changed() {
						return nil
					}
					_, err := fmt.Fprintln(env.Stdout, out.Result.Path)
					return err
				}
				label := diff.PatchPath(out.Result.Path)
				return diff.Write(env.Stdout, "a/"+label, "b/"+label, out.Result.Input, out.Result.Output,
					diff.Options{Context: diff.DefaultContext, Color: useColor})
			}
			res, err := s.Run(cmd.Context(), p, run)
			if err != nil {
				return err
			}
			sum.Failed = len(res.Errors)
			if !quiet {
				fmt.Fprintln(env.Stderr, sum.String("would fix"))
			}
			code := ExitOK
			if exitCodeFlag && sum.Changed > 0 {
				code = ExitFindings
			}
			return status(res, code)
		},
	}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.BoolVar(&exitCodeFlag, "exit-code", false, "exit with 1 when there are changes")
	out.BoolVarP(&list, "list", "l", false, "print the names of the files that would change instead of the diff")
	out.BoolVarP(&quiet, "quiet", "q", false, "print no summary and no warnings: only errors")
	o.registerColor(out)
	flaggroup.Add(cmd, "Output", out)
	o.register(cmd)
	return cmd
}
