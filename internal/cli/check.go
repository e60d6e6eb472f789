package cli

import (
	"fmt"
	"os"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/version"
)

func newCheck(env *Env) *cobra.Command {
	var o options
	var format string
	cmd := &cobra.Command{
		Use:   "check [flags] [PATH...]",
		Short: "Report findings without changing files",
		Long: `Check reports what the rules find in Dockerfiles, one finding per line:

  path:line:column: rule[CODE]: message [*]

CODE is the matching hadolint or BuildKit check id, and [*] marks findings
that "dockmend fix" would fix. A summary line ends the text output. Check
exits with 1 when there are findings, 2 when a file could not be checked
or a rule could not do its work (a registry lookup failed).

--format json writes {"findings": [...], "errors": [...]}. A finding has
path, line, column, end_line and end_column (1-based; columns count bytes;
the end is just after the finding), rule, code ("" when none), message,
fix: {message, applicability: "safe" or "unsafe"}, or null, and failed
(true when the rule could not do its work there). An error
has path and message. --format sarif writes a SARIF 2.1.0 log, as GitHub
code scanning reads it, with paths relative to the current directory.`,
		Example: `  dockmend check
  dockmend check --select pin Dockerfile
  dockmend check --format sarif > dockmend.sarif   # for GitHub code scanning
  dockmend check --format json - < Dockerfile`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" && format != "sarif" {
				return usageErr(fmt.Errorf("--format %q: want text, json or sarif", format))
			}
			s, p, err := o.plan(cmd.Context(), env, args)
			if err != nil {
				return err
			}
			defer s.Close()
			for _, f := range p.Files {
				f.Options.NoFix = true
			}
			var files []report.File
			var counts report.Counts
			res, err := s.Run(cmd.Context(), p, session.RunOptions{Emit: func(out driver.Outcome) error {
				f := report.File{Path: out.Result.Path, Data: out.Result.Input, Findings: out.Result.Findings, UnsafeFixes: out.File.Options.UnsafeFixes}
				counts.Add(f)
				if format == "text" {
					return report.Text(env.Stdout, f)
				}
				files = append(files, f)
				return nil
			}})
			if err != nil {
				return err
			}
			switch format {
			case "text":
				if counts.Files > 0 || !res.Failed {
					fmt.Fprintln(env.Stdout, counts)
				}
			case "json":
				err = report.JSON(env.Stdout, files, res.Errors)
			case "sarif":
				wd, _ := os.Getwd()
				tool := report.Tool{Name: "dockmend", Version: version.Module(), InformationURI: "https://github.com/dockmend/dockmend"}
				err = report.SARIF(env.Stdout, files, s.Known(), tool, wd)
			}
			if err != nil {
				return err
			}
			code := ExitOK
			if counts.Findings > 0 {
				code = ExitFindings
			}
			return status(res, code)
		},
	}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.StringVar(&format, "format", "text", "write findings as `text`, json or sarif (SARIF 2.1.0)")
	flaggroup.Add(cmd, "Output", out)
	o.register(cmd)
	return cmd
}

// exitCode returns nil for ExitOK and an exitStatus otherwise.
func exitCode(code int) error {
	if code == ExitOK {
		return nil
	}
	return exitStatus(code)
}
