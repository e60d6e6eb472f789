package cli

import (
	"errors"
	"fmt"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/session"
)

func newFix(env *Env) *cobra.Command {
	var o options
	var v verifyFlags
	var list, quiet bool
	cmd := &cobra.Command{
		Use:     "fix [flags] [PATH...]",
		Short:   "Apply the fixes to the files in place",
		Long:    helpText("fix"),
		Example: helpText("fix.example"),
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if v.verify {
				if list || quiet {
					return usageErr(errors.New("--list and --quiet are not for fix --verify, which reports what it built"))
				}
				return v.run(cmd.Context(), env, &o, args, true)
			}
			s, p, err := o.plan(cmd.Context(), env, args)
			if err != nil {
				return err
			}
			defer s.Close()
			var sum report.Fixes
			var remaining report.Counts
			printed := false
			color, err := o.useColor(env, env.stderrIsTerminal())
			if err != nil {
				return err
			}
			// Quiet, the findings about work a rule could not do are
			// still printed (by the session): they are errors.
			res, err := s.Run(cmd.Context(), p, session.RunOptions{Write: true, Quiet: quiet, ShowFailed: quiet, Emit: func(out driver.Outcome) error {
				sum.Add(out.Result)
				f := report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: out.Result.Remaining, UnsafeFixes: out.File.Options.UnsafeFixes}
				remaining.Add(f)
				if !quiet {
					if err := report.WriteText(env.Stderr, f, report.TextOptions{Color: color}); err != nil {
						return err
					}
				}
				switch {
				case list && (out.Written || p.Stdin && out.Result.Changed()):
					printed = true
					_, err := fmt.Fprintln(env.Stdout, out.Result.Path)
					return err
				case p.Stdin && !list:
					printed = true
					_, err := env.Stdout.Write(out.Result.Output)
					return err
				}
				return nil
			}})
			if err != nil {
				return err
			}
			if p.Stdin && !printed && !list {
				if err := p.EchoStdin(env.Stdout); err != nil {
					return err
				}
			}
			sum.Failed = len(res.Errors)
			if !quiet {
				fmt.Fprintln(env.Stderr, sum.String("fixed")+remaining.Remainder())
			}
			return status(res, ExitOK)
		},
	}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.BoolVarP(&list, "list", "l", false, "print the names of the files fixed, one a line")
	out.BoolVarP(&quiet, "quiet", "q", false, "print no findings, summary or warnings: only errors")
	o.registerColor(out)
	flaggroup.Add(cmd, "Output", out)
	o.register(cmd)
	v.register(cmd, "fix")
	return cmd
}
