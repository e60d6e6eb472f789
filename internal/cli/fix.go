package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/session"
)

func newFix(env *Env) *cobra.Command {
	var o options
	var v verifyFlags
	cmd := &cobra.Command{
		Use:   "fix [flags] [PATH...]",
		Short: "Apply the fixes to the files in place",
		Long: `Fix applies the rules' fixes and rewrites the files that change. Files are
replaced atomically and keep their permissions; a symbolic link is written
through to its target. Fixes that may change what the build produces are
applied only with --unsafe-fixes.

The findings that remain are listed on standard error, followed by a
summary. With the path - (standard input), the fixed file is printed to
standard output and no file is written; if it cannot be fixed, the input
is printed unchanged. Digests that were looked up are recorded in the lock
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
  dockmend fix - < Dockerfile > Dockerfile.fixed`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if v.verify {
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
			res, err := s.Run(cmd.Context(), p, session.RunOptions{Write: true, Emit: func(out driver.Outcome) error {
				sum.Add(out.Result)
				f := report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: out.Result.Remaining, UnsafeFixes: out.File.Options.UnsafeFixes}
				remaining.Add(f)
				if err := report.Text(env.Stderr, f); err != nil {
					return err
				}
				if p.Stdin {
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
			if p.Stdin && !printed {
				if err := p.EchoStdin(env.Stdout); err != nil {
					return err
				}
			}
			sum.Failed = len(res.Errors)
			fmt.Fprintln(env.Stderr, sum.String("fixed")+remaining.Remainder())
			return status(res, ExitOK)
		},
	}
	o.register(cmd)
	v.register(cmd, "fix")
	return cmd
}
