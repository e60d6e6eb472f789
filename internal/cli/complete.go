package cli

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/ruleset"
)

// complete registers the shell completions of a command's flags that take
// a value from a fixed set: rule names and check ids, formats, levels,
// colour modes. "dockmend completion bash|zsh|fish|powershell" writes the
// scripts that ask for them.
func complete(cmd *cobra.Command) {
	fixed := func(values ...string) func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return values, cobra.ShellCompDirectiveNoFileComp
		}
	}
	flags := map[string]func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective){
		"color":             fixed("auto", "always", "never"),
		"failure-threshold": fixed("error", "warning", "info", "style", "none"),
		"select":            completeRules,
		"ignore":            completeRules,
	}
	if cmd.Name() == "check" {
		flags["format"] = fixed(report.Formats...)
	}
	for name, f := range flags {
		if cmd.Flags().Lookup(name) != nil {
			_ = cmd.RegisterFlagCompletionFunc(name, f)
		}
	}
}

// completeRules completes a RULE,... list: rule names, "all", and the
// check ids the rules fix, after the names typed already.
func completeRules(_ *cobra.Command, _ []string, typed string) ([]string, cobra.ShellCompDirective) {
	prefix := ""
	if i := strings.LastIndex(typed, ","); i >= 0 {
		prefix = typed[:i+1]
	}
	out := []string{prefix + "all"}
	for _, t := range ruleset.All(ruleset.Config{}) {
		out = append(out, prefix+t.Name)
		for _, c := range t.Fixes {
			out = append(out, prefix+c)
		}
	}
	return out, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveNoSpace
}

// completeRuleArg completes the RULE argument of "rules" and "help".
func completeRuleArg(_ *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
	if len(args) > 0 {
		return nil, cobra.ShellCompDirectiveNoFileComp
	}
	var out []string
	for _, t := range ruleset.All(ruleset.Config{}) {
		out = append(out, t.Name+"\t"+t.Summary())
	}
	return out, cobra.ShellCompDirectiveNoFileComp
}
