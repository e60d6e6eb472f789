package cli

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/dockmend/dockmend/internal/ruleset"
)

// flagGroupAnnotation is the flag annotation that names a flag's group in
// the usage text.
const flagGroupAnnotation = "dockmend_group"

// addGroup adds the flags of fs to cmd under a heading of the usage text.
func addGroup(cmd *cobra.Command, title string, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Annotations == nil {
			f.Annotations = map[string][]string{}
		}
		f.Annotations[flagGroupAnnotation] = []string{title}
	})
	cmd.Flags().AddFlagSet(fs)
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[flagGroupAnnotation] += title + "\n"
}

// usage writes a command's usage: synopsis, examples, subcommands and the
// flags by group.
func usage(c *cobra.Command) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage:\n  %s\n", c.UseLine())
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "  %s [command]\n", c.CommandPath())
	}
	if c.Example != "" {
		fmt.Fprintf(&b, "\nExamples:\n%s\n", c.Example)
	}
	if c.HasAvailableSubCommands() {
		b.WriteString("\nCommands:\n")
		tw := tabwriter.NewWriter(&b, 0, 8, 3, ' ', 0)
		for _, sub := range c.Commands() {
			if sub.IsAvailableCommand() || sub.Name() == "help" {
				fmt.Fprintf(tw, "  %s\t%s\n", sub.Name(), sub.Short)
			}
		}
		tw.Flush()
	}
	c.InitDefaultHelpFlag()
	var titles []string
	if ann := c.Annotations[flagGroupAnnotation]; ann != "" {
		titles = strings.Split(strings.TrimSuffix(ann, "\n"), "\n")
	}
	for _, title := range append(titles, "") {
		fs := pflag.NewFlagSet(title, pflag.ContinueOnError)
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if g := f.Annotations[flagGroupAnnotation]; (len(g) == 0 && title == "") || (len(g) > 0 && g[0] == title) {
				fs.AddFlag(f)
			}
		})
		if !fs.HasAvailableFlags() {
			continue
		}
		if title == "" {
			title = "Other flags"
		}
		fmt.Fprintf(&b, "\n%s:\n%s", title, optionalValues(fs))
	}
	if c.HasAvailableSubCommands() {
		fmt.Fprintf(&b, "\nUse \"%s [command] --help\" for more about a command.\n", c.CommandPath())
	}
	_, err := fmt.Fprint(c.OutOrStderr(), b.String())
	return err
}

// optionalValues returns fs.FlagUsages with the flags whose value is
// optional written as --push[=REMOTE]: pflag writes --push REMOTE[="origin"],
// which reads as if "--push REMOTE" worked, and it does not (REMOTE would
// be an argument).
func optionalValues(fs *pflag.FlagSet) string {
	text := fs.FlagUsages()
	fs.VisitAll(func(f *pflag.Flag) {
		if f.NoOptDefVal == "" || f.Value.Type() != "string" {
			return
		}
		name, _ := pflag.UnquoteUsage(f)
		old := fmt.Sprintf("--%s %s[=\"%s\"]", f.Name, name, f.NoOptDefVal)
		repl := fmt.Sprintf("--%s[=%s]", f.Name, name)
		if len(repl) < len(old) {
			repl += strings.Repeat(" ", len(old)-len(repl))
		}
		text = strings.Replace(text, old, repl, 1)
	})
	return text
}

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
