package vulndb

import (
	"fmt"
	"slices"
	"strings"
)

// record is the part of an OSV record (ossf/osv-schema) dockmend reads.
type record struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Upstream  []string `json:"upstream"`
	Summary   string   `json:"summary"`
	Details   string   `json:"details"`
	Withdrawn string   `json:"withdrawn"`
	Severity  []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
	DatabaseSpecific map[string]any `json:"database_specific"`
	Affected         []affected     `json:"affected"`
}

type affected struct {
	Package struct {
		Ecosystem string `json:"ecosystem"`
		Name      string `json:"name"`
	} `json:"package"`
	Ranges []struct {
		Type   string              `json:"type"`
		Events []map[string]string `json:"events"`
	} `json:"ranges"`
	Versions          []string       `json:"versions"`
	EcosystemSpecific map[string]any `json:"ecosystem_specific"`
	DatabaseSpecific  map[string]any `json:"database_specific"`
	Severity          []struct {
		Type  string `json:"type"`
		Score string `json:"score"`
	} `json:"severity"`
}

// advisory is one record's word on one package of one ecosystem: what
// the index keeps.
type advisory struct {
	id       string
	cve      string // the CVE the record is about, "" if none
	summary  string
	severity Severity
	ranges   [][]event
	versions []string
}

type event struct {
	kind    string // introduced, fixed, last_affected, limit
	version string
}

// severityOf finds a record's severity for one affected package: the
// distribution's rating (Debian's urgency, Ubuntu's priority, a
// database_specific severity) first, then the highest CVSS rating.
func severityOf(r *record, a *affected) Severity {
	for _, m := range []map[string]any{a.EcosystemSpecific, a.DatabaseSpecific, r.DatabaseSpecific} {
		for _, k := range []string{"urgency", "severity", "priority"} {
			if s, ok := m[k].(string); ok {
				if sev := severityWord(s); sev != Unknown {
					return sev
				}
			}
		}
	}
	best := Unknown
	for _, s := range slices.Concat(a.Severity, r.Severity) {
		var sev Severity
		switch s.Type {
		case "Ubuntu":
			sev = severityWord(s.Score)
		case "CVSS_V3", "CVSS_V4":
			sev = cvssSeverity(s.Score)
		}
		best = max(best, sev)
	}
	return best
}

// cveOf returns the CVE a record is about: its id, or its only CVE alias
// or upstream id.
func cveOf(r *record) string {
	if strings.HasPrefix(r.ID, "CVE-") {
		return r.ID
	}
	// DEBIAN-CVE-2024-1234, UBUNTU-CVE-2024-1234, ALPINE-CVE-...
	if i := strings.Index(r.ID, "-CVE-"); i > 0 {
		return r.ID[i+1:]
	}
	var cves []string
	for _, a := range slices.Concat(r.Aliases, r.Upstream) {
		if strings.HasPrefix(a, "CVE-") && !slices.Contains(cves, a) {
			cves = append(cves, a)
		}
	}
	if len(cves) == 1 {
		return cves[0]
	}
	return ""
}

// affects reports whether version is affected, and the version that
// fixes it ("" when none is known), comparing with cmp.
func (a *advisory) affects(cmp comparer, version string) (bool, string, error) {
	if slices.Contains(a.versions, version) {
		return true, "", nil
	}
	for _, evs := range a.ranges {
		in, fixed, err := inRange(cmp, evs, version)
		if err != nil {
			return false, "", err
		}
		if in {
			return true, fixed, nil
		}
	}
	return false, "", nil
}

// inRange evaluates one ECOSYSTEM range as the OSV schema says: events
// sorted by version, "introduced" starts an affected interval, "fixed"
// ends it before, "last_affected" after the version named.
func inRange(cmp comparer, evs []event, v string) (bool, string, error) {
	sorted := slices.Clone(evs)
	var err error
	slices.SortStableFunc(sorted, func(x, y event) int {
		if x.version == "0" || y.version == "0" {
			switch {
			case x.version == y.version:
				return 0
			case x.version == "0":
				return -1
			}
			return 1
		}
		c, e := cmp.compare(x.version, y.version)
		if e != nil && err == nil {
			err = e
		}
		return c
	})
	if err != nil {
		return false, "", err
	}
	affected, fixedBy := false, ""
	for _, e := range sorted {
		var c int
		if e.version != "0" {
			if c, err = cmp.compare(v, e.version); err != nil {
				return false, "", err
			}
		}
		switch e.kind {
		case "introduced":
			if e.version == "0" || c >= 0 {
				affected = true
			}
		case "fixed":
			if c >= 0 {
				affected = false
			} else if affected && fixedBy == "" {
				fixedBy = e.version
			}
		case "last_affected":
			if c > 0 {
				affected = false
			}
		case "limit":
			if c >= 0 {
				affected = false
			}
		}
	}
	if !affected {
		return false, "", nil
	}
	return true, fixedBy, nil
}

// toAdvisory turns one affected entry of a record into an advisory.
func toAdvisory(r *record, a *affected) (advisory, error) {
	adv := advisory{id: r.ID, cve: cveOf(r), summary: r.Summary, severity: severityOf(r, a), versions: a.Versions}
	for _, rg := range a.Ranges {
		if rg.Type != "ECOSYSTEM" {
			continue
		}
		var evs []event
		for _, m := range rg.Events {
			for k, v := range m {
				switch k {
				case "introduced", "fixed", "last_affected", "limit":
					evs = append(evs, event{k, v})
				default:
					return adv, fmt.Errorf("%s: unknown range event %q", r.ID, k)
				}
			}
		}
		adv.ranges = append(adv.ranges, evs)
	}
	return adv, nil
}
