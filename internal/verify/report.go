package verify

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/plural"

	"github.com/dockmend/dockmend/internal/imagediff"
)

// Kept returns the rules whose unsafe fixes were kept.
func (r *Result) Kept() []string { return r.rules(true) }

// DroppedRules returns the rules whose unsafe fixes were dropped.
func (r *Result) DroppedRules() []string { return r.rules(false) }

func (r *Result) rules(kept bool) []string {
	var out []string
	for _, rule := range r.Rules {
		if rule.Kept == kept {
			out = append(out, rule.Name)
		}
	}
	return out
}

// writeExpected writes the differences that do not fail what is judged
// (what: "the fixes"), grouped by explanation, the largest groups first.
func writeExpected(b *strings.Builder, exp []imagediff.Difference, what string) {
	if len(exp) == 0 {
		return
	}
	fmt.Fprintf(b, "  %s that do%s not fail %s:\n", plural.Of(len(exp), "difference"), map[bool]string{true: "es", false: ""}[len(exp) == 1], what)
	groups := map[string][]imagediff.Difference{}
	var reasons []string
	for _, d := range exp {
		why := d.Expected
		if why == "" {
			why = "other content (builds are rarely byte-identical; --strict fails these)"
		}
		if groups[why] == nil {
			reasons = append(reasons, why)
		}
		groups[why] = append(groups[why], d)
	}
	slices.SortStableFunc(reasons, func(a, b string) int { return len(groups[b]) - len(groups[a]) })
	for i, why := range reasons {
		if i == 6 {
			fmt.Fprintf(b, "    ... (--format json lists them all)\n")
			break
		}
		g := groups[why]
		d := g[0]
		d.Expected = ""
		if len(g) == 1 {
			fmt.Fprintf(b, "    %s: %s\n", d, why)
		} else {
			fmt.Fprintf(b, "    %d like %s: %s\n", len(g), d.Subject, why)
		}
	}
}

// expectedOf returns the differences that are expected, or differ only in
// content.
func expectedOf(diffs []imagediff.Difference) []imagediff.Difference {
	var out []imagediff.Difference
	for _, d := range diffs {
		if d.Expected != "" || d.Kind == imagediff.KindContent {
			out = append(out, d)
		}
	}
	return out
}

// expected returns the expected differences of the try that gave the
// result, or of the last try.
func (r *Result) expected() []imagediff.Difference {
	var t *Try
	for _, x := range r.Tries {
		if x.Image != nil && x.Image == r.Result {
			t = x
		}
	}
	if t == nil {
		return nil
	}
	return expectedOf(t.Differences)
}

// WriteText writes one result for people.
func WriteText(w io.Writer, r *Result) error {
	var b strings.Builder
	switch r.Status {
	case Unchanged:
		if r.Builds == 0 {
			fmt.Fprintf(&b, "%s: no unsafe fix changes it; nothing to build\n", r.Path)
		} else {
			fmt.Fprintf(&b, "%s: no unsafe fix changes it, even with what the build of the original showed (%s)\n", r.Path, plural.Of(r.Builds, "build"))
		}
	case Error:
		fmt.Fprintf(&b, "%s: not verified: %s\n", r.Path, indent(r.Error))
	case Verified:
		fmt.Fprintf(&b, "%s: verified: the unsafe fixes of %s hold (%s)\n", r.Path, strings.Join(r.Kept(), ", "), plural.Of(r.Builds, "build"))
	case Dropped:
		fmt.Fprintf(&b, "%s: dropped the unsafe fixes of %s (%s)\n", r.Path, strings.Join(r.DroppedRules(), ", "), plural.Of(r.Builds, "build"))
	}
	for _, rule := range r.Rules {
		if rule.Kept {
			fmt.Fprintf(&b, "  kept %s (%s)\n", rule.Name, plural.Of(rule.Fixes, "unsafe fix"))
		} else {
			fmt.Fprintf(&b, "  dropped %s (%s): %s\n", rule.Name, plural.Of(rule.Fixes, "unsafe fix"), indent(rule.Reason))
		}
	}
	if r.Original != nil && r.Result != nil {
		o, n := r.Original, r.Result
		fmt.Fprintf(&b, "  size %s -> %s MB (%s), compressed %s -> %s MB (%s), layers %d -> %d\n",
			mb(o.Size), mb(n.Size), pct(o.Size, n.Size), mb(o.Compressed), mb(n.Compressed), pct(o.Compressed, n.Compressed), o.Layers, n.Layers)
		if n.Smoke != nil {
			fmt.Fprintf(&b, "  smoke: exit %d and the same output in both images\n", n.Smoke.ExitCode)
		}
	}
	writeExpected(&b, r.expected(), "the fixes")
	for _, f := range r.Failed {
		fmt.Fprintf(&b, "  %s\n", f)
	}
	for _, n := range r.Notes {
		fmt.Fprintf(&b, "  note: %s\n", n)
	}
	if r.Written {
		fmt.Fprintf(&b, "  wrote %s\n", r.Path)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// JSONReport is the JSON form of a run.
type JSONReport struct {
	Builder string    `json:"builder"`
	Files   []*Result `json:"files"`
}

// WriteJSON writes the results as one JSON document.
func WriteJSON(w io.Writer, builderName string, results []*Result) error {
	if results == nil {
		results = []*Result{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(JSONReport{Builder: builderName, Files: results})
}

// WriteMarkdown writes the results as a table fit for a pull request
// description, followed by the reasons of the dropped fixes and errors.
func WriteMarkdown(w io.Writer, builderName string, results []*Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "#### dockmend verify (%s)\n\n", builderName)
	b.WriteString("| Dockerfile | result | unsafe fixes kept | dropped | size MB | compressed MB | layers | builds |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, r := range results {
		result := string(r.Status)
		switch r.Status {
		case Dropped, Error:
			result = "**" + result + "**"
		case Unchanged:
			result = "no unsafe fix"
		}
		size, comp, layers := "–", "–", "–"
		if o, n := r.Original, r.Result; o != nil && n != nil {
			size = fmt.Sprintf("%s → %s (%s)", mb(o.Size), mb(n.Size), pct(o.Size, n.Size))
			comp = fmt.Sprintf("%s → %s (%s)", mb(o.Compressed), mb(n.Compressed), pct(o.Compressed, n.Compressed))
			layers = fmt.Sprintf("%d → %d", o.Layers, n.Layers)
		}
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %d |\n", r.Path, result,
			list(r.Kept()), list(r.DroppedRules()), size, comp, layers, r.Builds)
	}
	var notes []string
	for _, r := range results {
		for _, rule := range r.Rules {
			if !rule.Kept {
				notes = append(notes, fmt.Sprintf("- `%s`: the `%s` fixes were dropped: %s", r.Path, rule.Name, oneLine(rule.Reason)))
			}
		}
		if r.Status == Error {
			notes = append(notes, fmt.Sprintf("- `%s`: not verified: %s", r.Path, oneLine(r.Error)))
		}
		for _, rule := range r.Informed {
			notes = append(notes, fmt.Sprintf("- `%s`: the `%s` fixes name what the build of the original showed (the Dockerfile alone did not tell)", r.Path, rule))
		}
	}
	if len(notes) > 0 {
		b.WriteString("\n" + strings.Join(notes, "\n") + "\n")
	}
	b.WriteString("\nEach Dockerfile was built before and after its unsafe fixes; the fixes kept build, keep the image's configuration and every file the Dockerfile's steps made, find their libraries and interpreters")
	b.WriteString(", and pass the smoke command where one is set. Sizes are MB of 10^6 bytes, uncompressed and gzipped.\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func list(xs []string) string {
	if len(xs) == 0 {
		return "–"
	}
	return strings.Join(xs, ", ")
}

// oneLine keeps the first line of a message, for a table or a list item.
func oneLine(s string) string {
	first, rest, _ := strings.Cut(s, "\n")
	if strings.TrimSpace(rest) != "" {
		first += " …"
	}
	return strings.ReplaceAll(first, "|", `\|`)
}

func indent(s string) string { return strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n    ") }

func mb(n int64) string { return fmt.Sprintf("%.1f", float64(n)/1e6) }

func pct(a, b int64) string {
	if a == 0 {
		return "–"
	}
	p := float64(b-a) * 100 / float64(a)
	switch {
	case p > -0.05 && p < 0.05:
		return "0 %"
	case p > 0:
		return fmt.Sprintf("+%.1f %%", p)
	}
	return fmt.Sprintf("%.1f %%", p)
}
