package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/report"
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
"dockmend verify". Fix --verify then exits with 1 when a rule's fixes
were dropped.`,
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
			p, err := o.plan(cmd.Context(), env, args)
			if err != nil {
				return err
			}
			var sum fixSummary
			var remaining report.Counts
			printed := false
			x, err := o.run(cmd.Context(), env, p, true, false, func(out driver.Outcome) error {
				sum.add(out)
				f := report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: out.Result.Remaining, UnsafeFixes: out.File.Options.UnsafeFixes}
				remaining.Add(f)
				if err := report.Text(env.Stderr, f); err != nil {
					return err
				}
				if p.stdin {
					printed = true
					_, err := env.Stdout.Write(out.Result.Output)
					return err
				}
				return nil
			})
			if err != nil {
				return err
			}
			if !p.stdin { // standard input touches no file, not even the lock file
				for _, err := range p.reg.save() {
					x.fail(env, "", err)
				}
			}
			if p.stdin && !printed {
				if err := p.echoStdin(env.Stdout); err != nil {
					return err
				}
			}
			sum.failed = len(x.errs)
			fmt.Fprintln(env.Stderr, sum.String("fixed")+remainder(remaining))
			return exitCode(x.code)
		},
	}
	o.register(cmd)
	v.register(cmd, "fix")
	return cmd
}

// remainder describes the findings left after fixing: "" when there are
// none, or "; 2 findings remain (1 fixable with --unsafe-fixes)".
func remainder(c report.Counts) string {
	if c.Findings == 0 {
		return ""
	}
	verb := "remain"
	if c.Findings == 1 {
		verb = "remains"
	}
	s := fmt.Sprintf("; %s %s", plural(c.Findings, "finding"), verb)
	if c.Unsafe > 0 {
		s += fmt.Sprintf(" (%d fixable with --unsafe-fixes)", c.Unsafe)
	}
	return s
}
