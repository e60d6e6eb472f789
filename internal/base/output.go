package base

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/severity"
)

// Formats are the output formats.
var Formats = []string{"text", "json", "sarif", "markdown"}

// Write writes rep in format: "text", "json", "sarif" or "markdown". For
// SARIF, artifact paths are made relative to wd.
func Write(w io.Writer, rep *Report, format, wd string) error {
	switch format {
	case "text":
		return writeText(w, rep)
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		return enc.Encode(rep)
	case "sarif":
		return writeSARIF(w, rep, wd)
	case "markdown":
		return writeMarkdown(w, rep)
	}
	return fmt.Errorf("unknown format %q (want %s)", format, strings.Join(Formats, ", "))
}

func age(b *Base) string {
	if b.Created.IsZero() {
		return "-"
	}
	return fmt.Sprintf("%s (%d d)", b.Created.Format(time.DateOnly), b.AgeDays)
}

func release(b *Base) string {
	if b.OS == nil {
		return "-"
	}
	s := b.OS.Name
	if s == "" {
		s = strings.TrimSpace(b.OS.ID + " " + b.OS.VersionID)
	}
	if b.OS.Source != "os-release" {
		s += " [from " + b.OS.Source + "]"
	}
	return s
}

func support(b *Base) string {
	if b.Support == nil {
		if b.OS != nil {
			return "no end-of-life data for this release"
		}
		return "-"
	}
	return b.Support.Message
}

func sizeText(b *Base) string {
	if b.Error != "" {
		return "-"
	}
	return fmt.Sprintf("%s (%d layers)", human(b.Size), b.Layers)
}

// writeText writes a table of the bases, their details, then the findings
// one per line as check writes them, then a summary.
func writeText(w io.Writer, rep *Report) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "BASE\tPLATFORM\tSIZE\tCREATED (AGE)\tRELEASE\tSUPPORT")
	for _, x := range rep.Bases {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", x.Reference, x.Platform, sizeText(x), age(x), release(x), support(x))
	}
	tw.Flush()
	for _, x := range rep.Bases {
		details := baseDetails(x)
		if len(details) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n%s (%s)\n", x.Reference, x.Platform)
		for _, d := range details {
			b.WriteString("  " + d + "\n")
		}
	}
	if len(rep.Findings) > 0 {
		b.WriteString("\n")
	}
	for _, f := range rep.Findings {
		fmt.Fprintf(&b, "%s:%d:%d: %s[%s]: %s\n", f.Path, f.Line, f.Column, f.Rule, f.Level, f.Message)
	}
	for _, s := range rep.Skipped {
		fmt.Fprintf(&b, "%s:%d:%d: skipped %s: %s\n", s.Path, s.Line, s.Column, s.Written, s.Reason)
	}
	if rep.VulnDB != nil && rep.VulnDB.Message != "" {
		fmt.Fprintf(&b, "\nvulnerability database: %s\n", rep.VulnDB.Message)
	}
	fmt.Fprintf(&b, "\n%s\n", summaryLine(rep))
	_, err := io.WriteString(w, b.String())
	return err
}

// baseDetails are the lines under a base in the text and Markdown reports.
func baseDetails(x *Base) []string {
	var out []string
	if x.Error != "" {
		return []string{"error: " + x.Error}
	}
	if x.Digest != "" {
		d := "digest " + x.Digest
		if x.Manifest != x.Digest {
			d += ", " + x.Platform + " manifest " + x.Manifest
		}
		out = append(out, d)
	}
	if s := x.Stale; s != nil {
		out = append(out, fmt.Sprintf("stale: pinned %s%s; the tag now points to %s%s", shortDigest(s.Pinned), created(s.PinnedCreated), shortDigest(s.Current), created(s.CurrentCreated)))
	}
	for _, v := range x.Variants {
		note := ""
		if v.Note != "" {
			note = ", " + v.Note
		}
		out = append(out, fmt.Sprintf("variant %s: %s (%+.0f %%%s)", v.Tag, human(v.Size), -100*v.Saving, note))
	}
	if x.VariantsNote != "" {
		out = append(out, "variants: "+x.VariantsNote)
	}
	if p := x.Packages; p != nil {
		s := fmt.Sprintf("packages: %d", p.Count)
		if p.Kind != "" {
			s += fmt.Sprintf(" (%s, %s)", p.Kind, strings.Join(p.Paths, ", "))
		}
		s += fmt.Sprintf("; read %s from %s", human(p.BytesRead), plural.Of(p.LayersRead, "layer"))
		if p.Note != "" {
			s += "; " + p.Note
		}
		out = append(out, s)
	}
	if v := x.Vulns; v != nil {
		if v.Note != "" {
			out = append(out, "vulnerabilities: not checked: "+v.Note)
		} else {
			s := fmt.Sprintf("vulnerabilities (%s): %d", v.Ecosystem, v.Total)
			if v.Total > 0 {
				s += " (" + counts(v.Counts) + fmt.Sprintf("); a rebuild or upgrade fixes %d", v.Fixable)
			}
			out = append(out, s)
			for _, f := range v.Top {
				fix := "no fix in the release"
				if f.Fixed != "" {
					fix = "fixed in " + f.Fixed
				}
				out = append(out, fmt.Sprintf("  %s %s %s %s: %s (%s)", f.ID, f.Severity, f.Source, f.Version, fix, strings.Join(f.Packages, ", ")))
			}
		}
	}
	return out
}

func summaryLine(rep *Report) string {
	byLevel := map[severity.Level]int{}
	for _, f := range rep.Findings {
		byLevel[f.Level]++
	}
	var parts []string
	for _, l := range []severity.Level{severity.Error, severity.Warning, severity.Info, severity.Style} {
		if byLevel[l] > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", byLevel[l], l))
		}
	}
	s := plural.Of(len(rep.Bases), "base") + ", " + plural.Of(len(rep.Findings), "finding")
	if len(parts) > 0 {
		s += " (" + strings.Join(parts, ", ") + ")"
	}
	if len(rep.Errors) > 0 {
		s += ", " + plural.Of(len(rep.Errors), "error")
	}
	return s + fmt.Sprintf("; %d registry requests", rep.Requests.Requests)
}

// mdCell escapes text for a Markdown table cell.
func mdCell(s string) string {
	return strings.NewReplacer("|", `\|`, "\n", " ").Replace(s)
}

// writeMarkdown writes the report for a pull request or an issue.
func writeMarkdown(w io.Writer, rep *Report) error {
	var b strings.Builder
	fmt.Fprintf(&b, "## dockmend base: %s\n\n", summaryLine(rep))
	b.WriteString("| base | platform | size | created (age) | release | support |\n|---|---|---|---|---|---|\n")
	for _, x := range rep.Bases {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s |\n", mdCell(x.Reference), x.Platform, sizeText(x), age(x), mdCell(release(x)), mdCell(support(x)))
	}
	if len(rep.Findings) > 0 {
		b.WriteString("\n### Findings\n\n")
		for _, f := range rep.Findings {
			fmt.Fprintf(&b, "- **%s** (%s) `%s:%d`: %s\n", f.Rule, f.Level, f.Path, f.Line, mdCell(f.Message))
		}
	}
	for _, x := range rep.Bases {
		details := baseDetails(x)
		if len(details) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n<details><summary><code>%s</code> (%s)</summary>\n\n", mdCell(x.Reference), x.Platform)
		for _, d := range details {
			fmt.Fprintf(&b, "- %s\n", mdCell(strings.TrimSpace(d)))
		}
		b.WriteString("\n</details>\n")
	}
	if rep.VulnDB != nil && rep.VulnDB.Message != "" {
		fmt.Fprintf(&b, "\n> **Vulnerability database:** %s\n", mdCell(rep.VulnDB.Message))
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(&b, "\n> **Error:** %s\n", mdCell(e.Message))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// writeSARIF writes a SARIF 2.1.0 log with one run, the four rules, and a
// result per finding at the reference it is about.
func writeSARIF(w io.Writer, rep *Report, wd string) error {
	type text struct {
		Text string `json:"text"`
	}
	type rule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     text           `json:"shortDescription"`
		DefaultConfiguration map[string]any `json:"defaultConfiguration"`
	}
	type region struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine"`
		EndColumn   int `json:"endColumn"`
	}
	type location struct {
		PhysicalLocation struct {
			ArtifactLocation struct {
				URI string `json:"uri"`
			} `json:"artifactLocation"`
			Region region `json:"region"`
		} `json:"physicalLocation"`
	}
	type result struct {
		RuleID     string         `json:"ruleId"`
		RuleIndex  int            `json:"ruleIndex"`
		Level      string         `json:"level"`
		Message    text           `json:"message"`
		Locations  []location     `json:"locations"`
		Properties map[string]any `json:"properties"`
	}
	var rules []rule
	index := map[string]int{}
	for i, r := range Rules {
		index[r.Name] = i
		rules = append(rules, rule{ID: r.Name, Name: r.Name, ShortDescription: text{r.Summary}, DefaultConfiguration: map[string]any{"level": "warning"}})
	}
	results := []result{}
	for _, f := range rep.Findings {
		var loc location
		loc.PhysicalLocation.ArtifactLocation.URI = artifactURI(f.Path, wd)
		// Columns: the reference is ASCII, so bytes are code points.
		loc.PhysicalLocation.Region = region{f.Line, f.Column, f.EndLine, f.EndColumn}
		results = append(results, result{RuleID: f.Rule, RuleIndex: index[f.Rule], Level: f.Level.SARIF(), Message: text{f.Message},
			Locations: []location{loc}, Properties: map[string]any{"base": f.Base, "severity": f.Level.String()}})
	}
	log := map[string]any{
		"$schema": "https://json.schemastore.org/sarif-2.1.0.json",
		"version": "2.1.0",
		"runs": []any{map[string]any{
			"tool":       map[string]any{"driver": map[string]any{"name": "dockmend base", "informationUri": "https://github.com/dockmend/dockmend", "rules": rules}},
			"results":    results,
			"columnKind": "unicodeCodePoints",
		}},
	}
	data, err := json.MarshalIndent(log, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(data, '\n'))
	return err
}

// artifactURI is path relative to wd with forward slashes, or a file URI.
func artifactURI(path, wd string) string {
	if !filepath.IsAbs(path) {
		return (&url.URL{Path: filepath.ToSlash(filepath.Clean(path))}).String()
	}
	if rel, err := filepath.Rel(wd, path); wd != "" && err == nil && !strings.HasPrefix(rel, "..") {
		return (&url.URL{Path: filepath.ToSlash(rel)}).String()
	}
	return (&url.URL{Scheme: "file", Path: filepath.ToSlash(path)}).String()
}
