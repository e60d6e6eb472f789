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
		Use:   "fix [flags] [PATH...]",
		Short: "Apply the fixes to the files in place",
		Long: `Fix applies the rules' fixes and rewrites the files that change. Files are
replaced atomically and keep their permissions; a symbolic link is written
through to its target. Fixes that may change what the build produces are
applied only with --unsafe-fixes.

The findings that remain are listed on standard error, followed by a
summary; --quiet leaves only errors there. --list prints the names of the
files it changed to standard output, one a line, as "gofmt -l" does. With
the path - (standard input), the fixed file is printed to standard output
(with --list, its name if it changed) and no file is written; if it cannot
be fixed, the input is printed unchanged. Digests that were looked up are recorded in the lock
file, if one is configured (not for standard input). Fix exits with 2 when
a file could not be fixed.

With --verify, the unsafe fixes are applied too, but each rule's only when
the Dockerfile still builds and its image holds what it held: see
"dockmend verify". The build of the original also lets the multistage
rule split an image whose run-time packages it cannot name from package
metadata. Fix --verify then exits with 1 when a rule's fixes were dropped.`,
		Example: `  dockmend fix
  dockmend fix --select apt,dnf services/
  dockmend fix --unsafe-fixes Dockerfile
  dockmend fix --verify --smoke 'app --version' .   # unsafe fixes that pass a build
  dockmend fix --offline --lockfile dockmend.lock .   # pin from the lock file only
  dockmend fix -l -q .                                 # only the names of the files fixed
  dockmend fix - < Dockerfile > Dockerfile.fixed`,
		Args: cobra.ArbitraryArgs,
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
			if !p.Stdin { // standard input touches no file, not even the lock file
				for _, err := range s.SaveLockfiles() {
					s.Fail(res, "", err)
				}
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
