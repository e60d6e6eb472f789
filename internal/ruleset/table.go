package ruleset

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/dockmend/dockmend/transform"
)

// WriteTable writes the table of rules: each rule's name, whether it runs
// by default, the hadolint and BuildKit checks it fixes, and its summary.
// The text form is what "dockmend rules" prints; the Markdown form is the
// README's table.
func WriteTable(w io.Writer, ts []*transform.Transformer, markdown bool) error {
	row := func(name, def, fixes, summary string) string {
		return fmt.Sprintf("%s\t%s\t%s\t%s\n", name, def, fixes, summary)
	}
	sep := ","
	if markdown {
		row = func(name, def, fixes, summary string) string {
			return fmt.Sprintf("| %s | %s | %s | %s |\n", name, def, fixes, summary)
		}
		sep = ", "
	}
	var b strings.Builder
	if markdown {
		b.WriteString(row("rule", "default", "fixes", "what it does") + "|---|---|---|---|\n")
	} else {
		b.WriteString(row("RULE", "DEFAULT", "FIXES", "SUMMARY"))
	}
	for _, t := range ts {
		name, def, fixes := t.Name, "off", strings.Join(t.Fixes, sep)
		if markdown {
			name = "`" + name + "`"
		}
		if t.Default {
			def = "on"
		}
		if fixes == "" {
			fixes = "-"
		}
		b.WriteString(row(name, def, fixes, t.Summary()))
	}
	if markdown {
		_, err := io.WriteString(w, b.String())
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	if _, err := io.WriteString(tw, b.String()); err != nil {
		return err
	}
	return tw.Flush()
}
