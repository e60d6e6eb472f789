package cli

import (
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/transform"
)

func newRules(env *Env) *cobra.Command {
	return &cobra.Command{
		Use:               "rules [RULE]",
		Short:             "List the rules, or explain one",
		Long:              helpText("rules"),
		Example:           helpText("rules.example"),
		Args:              usageArgs(cobra.MaximumNArgs(1)),
		ValidArgsFunction: completeRuleArg,
		RunE: func(_ *cobra.Command, args []string) error {
			if len(args) == 1 {
				return printRuleDoc(env.Stdout, ruleset.All(ruleset.Config{}), args[0])
			}
			return ruleset.WriteTable(env.Stdout, ruleset.All(ruleset.Config{}), false)
		},
	}
}

// printRuleDoc writes the documentation of the rule called name.
func printRuleDoc(w io.Writer, all []*transform.Transformer, name string) error {
	t, err := ruleset.Lookup(all, name)
	if err != nil {
		return usageErr(err)
	}
	_, err = fmt.Fprintln(w, strings.TrimRight(t.Doc, "\n"))
	return err
}
