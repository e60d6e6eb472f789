package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/dockmend/dockmend/internal/severity"
)

// Statistic counts the findings of one rule and check at one level, as
// check --statistics lists them (after ruff's --statistics).
type Statistic struct {
	// Rule and Code name the check ("" for a finding without a code).
	Rule string `json:"rule"`
	Code string `json:"code"`
	// Level is the findings' level.
	Level severity.Level `json:"level"`
	// Count is the number of findings; Fixable, of those, the number
	// "dockmend fix" fixes with the settings in effect; Unsafe, the
	// number only --unsafe-fixes would fix.
	Count   int `json:"count"`
	Fixable int `json:"fixable"`
	Unsafe  int `json:"unsafe"`
}

// Statistics tallies the findings of files by rule, code and level, most
// frequent first (then by level, most serious first, then by rule and
// code).
func Statistics(files []File) []Statistic {
	type key struct {
		rule, code string
		level      severity.Level
	}
	by := map[key]*Statistic{}
	var out []*Statistic
	for _, f := range files {
		for _, fd := range f.Findings {
			k := key{fd.Rule, fd.Code, fd.Level}
			s := by[k]
			if s == nil {
				s = &Statistic{Rule: fd.Rule, Code: fd.Code, Level: fd.Level}
				by[k] = s
				out = append(out, s)
			}
			s.Count++
			switch {
			case fd.Fixable(f.UnsafeFixes):
				s.Fixable++
			case fd.Fixable(true):
				s.Unsafe++
			}
		}
	}
	slices.SortStableFunc(out, func(a, b *Statistic) int {
		return cmp.Or(cmp.Compare(b.Count, a.Count), cmp.Compare(b.Level, a.Level), cmp.Compare(a.Rule, b.Rule), cmp.Compare(a.Code, b.Code))
	})
	stats := make([]Statistic, len(out))
	for i, s := range out {
		stats[i] = *s
	}
	return stats
}

// WriteStatistics writes stats as a table: count, rule[CODE], level, and
// how many "dockmend fix" fixes ("2 of 3, 1 more with --unsafe-fixes").
func WriteStatistics(w io.Writer, stats []Statistic) error {
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	width := 0
	for _, s := range stats {
		width = max(width, len(fmt.Sprint(s.Count)))
	}
	var b strings.Builder
	for _, s := range stats {
		id := s.Rule
		if s.Code != "" {
			id += "[" + s.Code + "]"
		}
		fix := "-"
		switch {
		case s.Fixable > 0 && s.Unsafe > 0:
			fix = fmt.Sprintf("%d fixable, %d more with --unsafe-fixes", s.Fixable, s.Unsafe)
		case s.Fixable > 0:
			fix = fmt.Sprintf("%d fixable", s.Fixable)
		case s.Unsafe > 0:
			fix = fmt.Sprintf("%d with --unsafe-fixes", s.Unsafe)
		}
		fmt.Fprintf(&b, "%*d\t%s\t%s\t%s\n", width, s.Count, id, s.Level, fix)
	}
	if _, err := io.WriteString(tw, b.String()); err != nil {
		return err
	}
	return tw.Flush()
}

// StatisticsJSON writes stats as an indented JSON array.
func StatisticsJSON(w io.Writer, stats []Statistic) error {
	if stats == nil {
		stats = []Statistic{}
	}
	data, err := json.MarshalIndent(stats, "", "  ")
	if err != nil {
		return fmt.Errorf("writing statistics: %w", err)
	}
	_, err = w.Write(append(data, '\n'))
	return err
}
