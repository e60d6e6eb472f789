package debmeta

import (
	"bufio"
	"fmt"
	"io"
	"strings"
)

// ParsePackages reads a Debian Packages index (RFC 822-like stanzas
// separated by blank lines).
func ParsePackages(rd io.Reader) ([]Package, error) {
	sc := bufio.NewScanner(rd)
	sc.Buffer(make([]byte, 0, 64*1024), maxLine)
	var out []Package
	var cur Package
	var field string
	flush := func() error {
		if cur.Name != "" {
			if len(out) >= maxPackages {
				return fmt.Errorf("more than %d packages", maxPackages)
			}
			out = append(out, cur)
		}
		cur, field = Package{}, ""
		return nil
	}
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		if strings.TrimSpace(t) == "" {
			if err := flush(); err != nil {
				return nil, err
			}
			continue
		}
		if t[0] == ' ' || t[0] == '\t' {
			if field == "" {
				return nil, fmt.Errorf("line %d: continuation without a field", line)
			}
			continue // multi-line fields (Description) are not read
		}
		k, v, ok := strings.Cut(t, ":")
		if !ok {
			return nil, fmt.Errorf("line %d: no field name", line)
		}
		field = k
		v = strings.TrimSpace(v)
		switch k {
		case "Package":
			cur.Name = v
		case "Source":
			cur.Source, _, _ = strings.Cut(v, " ") // "gcc-defaults (1.203)"
		case "Section":
			cur.Section = v
		case "Priority":
			cur.Priority = v
		case "Essential":
			cur.Essential = v == "yes"
		case "Depends":
			cur.Depends = relations(v)
		case "Pre-Depends":
			cur.PreDepends = relations(v)
		case "Recommends":
			cur.Recommends = relations(v)
		case "Provides":
			for _, g := range relations(v) {
				cur.Provides = append(cur.Provides, g...)
			}
		}
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

// relations reads a relationship field: "a (>= 1) | b:any, c [amd64]".
func relations(v string) [][]string {
	var out [][]string
	for _, group := range strings.Split(v, ",") {
		var alts []string
		for _, alt := range strings.Split(group, "|") {
			alt = strings.TrimSpace(alt)
			name := strings.FieldsFunc(alt, func(r rune) bool { return r == ' ' || r == '(' || r == '[' || r == '<' })
			if len(name) == 0 {
				continue
			}
			n, _, _ := strings.Cut(name[0], ":")
			alts = append(alts, n)
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	return out
}

// Data is what a release's data file holds.
type Data struct {
	// Runtime maps every build-only package to its run-time packages.
	Runtime map[string][]string
	// Base lists the packages every image of the release has.
	Base []string
	// Recommends maps each data package to the packages that recommend it.
	Recommends map[string][]string
}

// index is a Packages index by name.
type index struct {
	pkgs     map[string]*Package
	provides map[string][]string
}
