// Package flaggroup writes a cobra command's usage text with its flags in
// groups under headings, as shfmt's usage groups them by hand: "Rules and
// fixes", "Pinning image digests", "Output".
package flaggroup

import (
	"fmt"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// annotation is the flag annotation that names a flag's group in the
// usage text.
const annotation = "dockmend_group"

// Add adds the flags of fs to cmd under a heading of its usage text, in
// the order groups are added.
func Add(cmd *cobra.Command, title string, fs *pflag.FlagSet) {
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Annotations == nil {
			f.Annotations = map[string][]string{}
		}
		f.Annotations[annotation] = []string{title}
	})
	cmd.Flags().AddFlagSet(fs)
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	cmd.Annotations[annotation] += title + "\n"
}

// Usage writes a command's usage: synopsis, examples, subcommands and the
// flags by group, the flags of no group last under "Other flags"
// (cobra.Command.SetUsageFunc).
func Usage(c *cobra.Command) error {
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
	if ann := c.Annotations[annotation]; ann != "" {
		titles = strings.Split(strings.TrimSuffix(ann, "\n"), "\n")
	}
	for _, title := range append(titles, "") {
		fs := pflag.NewFlagSet(title, pflag.ContinueOnError)
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if g := f.Annotations[annotation]; (len(g) == 0 && title == "") || (len(g) > 0 && g[0] == title) {
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
