package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/flaggroup"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/session"
	"github.com/dockmend/dockmend/internal/version"
)

const checkLong = `Check reports what the rules find in Dockerfiles, one finding per line:

  path:line:column: rule[CODE] level: message [*]

CODE is the matching hadolint or BuildKit check id, level is error,
warning, info or style (each rule's are in "dockmend rules"; levels:
in .dockmend.yaml changes them), and [*] marks findings that "dockmend
fix" would fix. A summary line ends the text output.

Check exits with 1 when a finding is at the failure threshold or above
(--failure-threshold, or failure-threshold: in the configuration; by
default style, so any finding), with 0 under --exit-zero, and with 2 when
a file could not be checked or a rule could not do its work (a registry
lookup failed).

--format json writes {"findings": [...], "errors": [...]}. A finding has
path, line, column, end_line and end_column (1-based; columns count bytes;
the end is just after the finding), rule, code ("" when none), level,
message, fix: {message, applicability: "safe" or "unsafe"}, or null, and
failed (true when the rule could not do its work there). An error has
path and message. With paths relative to the current directory, --format
sarif writes a SARIF 2.1.0 log (GitHub code scanning), github workflow
commands (annotations on a pull request), gitlab a Code Quality report,
and checkstyle Checkstyle XML (Jenkins and others). --statistics counts
the findings per rule and check instead (text or json).`

func newCheck(env *Env) *cobra.Command {
	var o options
	var format string
	var exitZero, statistics bool
	cmd := &cobra.Command{
		Use:   "check [flags] [PATH...]",
		Short: "Report findings without changing files",
		Long:  checkLong,
		Example: `  dockmend check
  dockmend check --select pin,DL3009 Dockerfile
  dockmend check --format sarif --failure-threshold warning . > dockmend.sarif   # GitHub code scanning
  dockmend check --format gitlab --exit-zero . > gl-code-quality-report.json
  dockmend check --statistics
  dockmend check --format json - < Dockerfile`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if !slices.Contains(report.Formats, format) {
				return usageErr(fmt.Errorf("--format %q: want %s", format, strings.Join(report.Formats, ", ")))
			}
			if exitZero && cmd.Flags().Changed("failure-threshold") {
				return usageErr(errors.New("--exit-zero and --failure-threshold cannot be used together"))
			}
			if statistics && format != "text" && format != "json" {
				return usageErr(fmt.Errorf("--statistics writes text or json, not %s", format))
			}
			color, err := o.useColor(env, env.stdoutIsTerminal())
			if err != nil {
				return err
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
			streams := format == "text" && !statistics
			res, err := s.Run(cmd.Context(), p, session.RunOptions{Progress: env.stderrIsTerminal(), Emit: func(out driver.Outcome) error {
				f := report.File{Path: out.Result.Path, Data: out.Result.Input, Findings: out.Result.Findings, UnsafeFixes: out.File.Options.UnsafeFixes}
				counts.AddFailing(f, p.FailureThreshold(out.File))
				if streams {
					return report.WriteText(env.Stdout, f, report.TextOptions{Color: color})
				}
				files = append(files, f)
				return nil
			}})
			if err != nil {
				return err
			}
			wd, _ := os.Getwd()
			switch {
			case statistics && format == "json":
				err = report.StatisticsJSON(env.Stdout, report.Statistics(files))
			case statistics:
				err = report.WriteStatistics(env.Stdout, report.Statistics(files))
			case format != "text":
				tool := report.Tool{Name: "dockmend", Version: version.Module(), InformationURI: "https://github.com/dockmend/dockmend"}
				err = report.Write(env.Stdout, format, report.Document{Files: files, Errors: res.Errors, Rules: s.Known(), Tool: tool, WD: wd})
			}
			if err != nil {
				return err
			}
			if format == "text" && (counts.Files > 0 || !res.Failed) {
				summary := counts.String()
				if !exitZero {
					summary += counts.Threshold()
				}
				fmt.Fprintln(env.Stdout, summary)
			}
			code := ExitOK
			if counts.Failing > 0 && !exitZero {
				code = ExitFindings
			}
			return status(res, code)
		},
	}
	out := pflag.NewFlagSet("output", pflag.ContinueOnError)
	out.StringVar(&format, "format", "text", "write findings as `FORMAT`: "+strings.Join(report.Formats, ", "))
	out.Var(&o.failureThreshold, "failure-threshold", "exit with 1 only on findings at `LEVEL` or above: error, warning, info, style (the default: any finding) or none")
	out.BoolVar(&exitZero, "exit-zero", false, "exit with 0 even when there are findings (errors still exit with 2)")
	out.BoolVar(&statistics, "statistics", false, "count the findings per rule and check instead of listing them")
	o.registerColor(out)
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
