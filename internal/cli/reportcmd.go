package cli

import (
	"errors"

	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/migrate"
	"github.com/dockmend/dockmend/internal/session"
)

func newReport(env *Env) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "report",
		Short: "Work with the JSON reports of dockmend migrate",
		Args:  usageArgs(cobra.NoArgs),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return cmd.Help()
		},
	}
	cmd.AddCommand(newReportMerge(env))
	return cmd
}

func newReportMerge(env *Env) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:     "merge [flags] REPORT.json...",
		Short:   "Join the reports of several migrate runs (shards) into one",
		Long:    helpText("report-merge"),
		Example: helpText("report-merge.example"),
		Args: usageArgs(func(_ *cobra.Command, args []string) error {
			if len(args) == 0 {
				return errors.New("no reports: name the JSON reports to merge")
			}
			return nil
		}),
		RunE: func(cmd *cobra.Command, args []string) error {
			var reports []*migrate.Report
			for _, path := range args {
				r, err := migrate.ReadReport(path)
				if err != nil {
					return session.PathError(err)
				}
				reports = append(reports, r)
			}
			merged := migrate.Merge(reports)
			if output != "" {
				if err := merged.Save(output); err != nil {
					return err
				}
			}
			return merged.WriteMarkdown(env.Stdout)
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the joined report to `FILE` (JSON)")
	return cmd
}
