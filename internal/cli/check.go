package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

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
	var output report.Output
	var exitZero bool
	cmd := &cobra.Command{
		Use:     "check [flags] [PATH...]",
		Short:   "Report findings without changing files",
		Long:    helpText("check"),
		Example: helpText("check.example"),
		Args:    cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := output.Check(); err != nil {
				return usageErr(err)
			}
			if exitZero && cmd.Flags().Changed("failure-threshold") {
				return usageErr(errors.New("--exit-zero and --failure-threshold cannot be used together"))
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
			res, err := s.Run(cmd.Context(), p, session.RunOptions{Progress: env.stderrIsTerminal(), Emit: func(out driver.Outcome) error {
				f := report.File{Path: out.Result.Path, Data: out.Result.Input, Findings: out.Result.Findings, UnsafeFixes: out.File.Options.UnsafeFixes}
				counts.AddFailing(f, p.FailureThreshold(out.File))
				if output.Streams() {
					return report.WriteText(env.Stdout, f, report.TextOptions{Color: color})
				}
				files = append(files, f)
				return nil
			}})
			if err != nil {
				return err
			}
			wd, _ := os.Getwd()
			tool := report.Tool{Name: "dockmend", Version: version.Module(), InformationURI: "https://github.com/dockmend/dockmend"}
			if err := output.WriteEnd(env.Stdout, report.Document{Files: files, Errors: res.Errors, Rules: s.Known(), Tool: tool, WD: wd}); err != nil {
				return err
			}
			if output.Format == "text" && (counts.Files > 0 || !res.Failed) {
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
	fs := pflag.NewFlagSet("output", pflag.ContinueOnError)
	fs.StringVar(&output.Format, "format", "text", "write findings as `FORMAT`: "+strings.Join(report.Formats, ", "))
	fs.Var(&o.failureThreshold, "failure-threshold", "exit with 1 only on findings at `LEVEL` or above: error, warning, info, style (the default: any finding) or none")
	fs.BoolVar(&exitZero, "exit-zero", false, "exit with 0 even when there are findings (errors still exit with 2)")
	fs.BoolVar(&output.Statistics, "statistics", false, "count the findings per rule and check instead of listing them")
	o.registerColor(fs)
	flaggroup.Add(cmd, "Output", fs)
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
