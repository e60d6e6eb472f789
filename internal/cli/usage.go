package cli

import (
	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/ruleset"
)

// newHelp returns the help command: "dockmend help COMMAND" explains a
// command and "dockmend help RULE" a rule, as "dockmend rules RULE" does.
func newHelp(root *cobra.Command, env *Env) *cobra.Command {
	return &cobra.Command{
		Use:   "help [COMMAND | RULE]",
		Short: "Explain a command or a rule",
		Args:  usageArgs(cobra.MaximumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return root.Help()
			}
			if sub, rest, err := root.Find(args); err == nil && sub != root && len(rest) == 0 {
				return sub.Help()
			}
			return printRuleDoc(cmd.OutOrStdout(), ruleset.All(ruleset.Config{}), args[0])
		},
	}
}

// usageArgs makes an argument check's error a usage error.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return usageErr(err)
		}
		return nil
	}
}
