package base

// Summary is a short form of a report, for one repository of a migrate
// report: each base with its size, release and support, and the findings
// counted by rule.
type Summary struct {
	Bases []SummaryBase `json:"bases"`
	// Findings counts the findings by rule.
	Findings map[string]int `json:"findings"`
	// Errors are the bases and files that could not be inspected.
	Errors []string `json:"errors,omitempty"`
}

// SummaryBase is one base in a Summary.
type SummaryBase struct {
	Reference string `json:"reference"`
	Platform  string `json:"platform"`
	Size      int64  `json:"size"`
	AgeDays   int    `json:"age_days,omitempty"`
	Release   string `json:"release,omitempty"`
	Support   string `json:"support,omitempty"`
	Stale     bool   `json:"stale,omitempty"`
	// Vulns and Fixable count vulnerabilities, with --vulns.
	Vulns   int `json:"vulns,omitempty"`
	Fixable int `json:"fixable,omitempty"`
}

// Summarize shortens rep.
func Summarize(rep *Report) *Summary {
	s := &Summary{Bases: []SummaryBase{}, Findings: map[string]int{}}
	for _, b := range rep.Bases {
		sb := SummaryBase{Reference: b.Reference, Platform: b.Platform, Size: b.Size, AgeDays: b.AgeDays, Stale: b.Stale != nil}
		if b.OS != nil {
			sb.Release = b.OS.Name
		}
		if b.Support != nil {
			sb.Support = b.Support.Message
		}
		if b.Vulns != nil {
			sb.Vulns, sb.Fixable = b.Vulns.Total, b.Vulns.Fixable
		}
		s.Bases = append(s.Bases, sb)
	}
	for _, f := range rep.Findings {
		s.Findings[f.Rule]++
	}
	for _, e := range rep.Errors {
		s.Errors = append(s.Errors, e.Message)
	}
	return s
}
