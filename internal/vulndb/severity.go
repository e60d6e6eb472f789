package vulndb

import (
	"strings"

	gocvss30 "github.com/pandatix/go-cvss/30"
	gocvss31 "github.com/pandatix/go-cvss/31"
	gocvss40 "github.com/pandatix/go-cvss/40"
)

// Severity grades a vulnerability, from the distribution's own rating
// when the record carries one, else from a CVSS vector.
type Severity int

// The severities, least serious first.
const (
	Unknown Severity = iota
	Low
	Medium
	High
	Critical
)

// Severities lists every severity, most serious first: the order of
// reports.
var Severities = []Severity{Critical, High, Medium, Low, Unknown}

var severityNames = [...]string{"unknown", "low", "medium", "high", "critical"}

// String returns "critical", "high", "medium", "low" or "unknown".
func (s Severity) String() string {
	if s < Unknown || s > Critical {
		return "unknown"
	}
	return severityNames[s]
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) { return []byte(s.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	*s = severityWord(string(b))
	return nil
}

// severityWord maps a distribution's word to a Severity: Debian's
// urgencies (unimportant, low, medium, high), Ubuntu's priorities
// (negligible, low, medium, high, critical), GitHub's (moderate).
func severityWord(w string) Severity {
	switch strings.ToLower(strings.TrimSpace(strings.TrimSuffix(w, "*"))) {
	case "critical":
		return Critical
	case "high", "important":
		return High
	case "medium", "moderate":
		return Medium
	case "low", "negligible", "unimportant":
		return Low
	}
	return Unknown
}

// cvssSeverity rates a CVSS v3.0, v3.1 or v4.0 vector by its base score.
func cvssSeverity(vector string) Severity {
	var score float64
	switch {
	case strings.HasPrefix(vector, "CVSS:3.1/"):
		v, err := gocvss31.ParseVector(vector)
		if err != nil {
			return Unknown
		}
		score = v.BaseScore()
	case strings.HasPrefix(vector, "CVSS:3.0/"):
		v, err := gocvss30.ParseVector(vector)
		if err != nil {
			return Unknown
		}
		score = v.BaseScore()
	case strings.HasPrefix(vector, "CVSS:4.0/"):
		v, err := gocvss40.ParseVector(vector)
		if err != nil {
			return Unknown
		}
		score = v.Score()
	default:
		return Unknown
	}
	switch {
	case score >= 9:
		return Critical
	case score >= 7:
		return High
	case score >= 4:
		return Medium
	case score > 0:
		return Low
	}
	return Unknown
}
