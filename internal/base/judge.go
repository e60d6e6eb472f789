package base

import (
	"fmt"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/distroinfo"
	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/vulndb"
)

// judge returns b's findings (without their place).
func judge(b *Base, o *Options) []Finding {
	var out []Finding
	add := func(rule string, level severity.Level, format string, args ...any) {
		out = append(out, Finding{Rule: rule, Level: level, Base: b.Reference, Message: fmt.Sprintf(format, args...)})
	}
	if s := b.Support; s != nil {
		level := severity.None
		switch s.Phase {
		case distroinfo.EndOfLife:
			level = severity.Error
		case distroinfo.Extended, distroinfo.Rolling:
			level = severity.Warning
		case distroinfo.EndingSoon:
			level = severity.Info
		}
		if level != severity.None {
			add(RuleEOL, level, "%s is %s: %s", b.Reference, s.Name(), s.Message)
		}
	}
	if s := b.Stale; s != nil {
		add(RuleStale, severity.Warning, "%s is pinned to %s%s but the tag now points to %s%s: rebuild on the new base (dockmend fix --refresh)",
			b.Reference, shortDigest(s.Pinned), created(s.PinnedCreated), shortDigest(s.Current), created(s.CurrentCreated))
	}
	if v := b.Vulns; v != nil && v.Total > 0 {
		level := severity.Info
		for _, f := range v.Top {
			if f.Fixed != "" {
				level = max(level, severity.Warning)
				if f.Severity >= vulndb.High {
					level = severity.Error
				}
			}
		}
		msg := fmt.Sprintf("%s has %d known %s (%s)", b.Reference, v.Total, plural.Noun(v.Total, "vulnerability"), counts(v.Counts))
		if v.Fixable > 0 {
			msg += fmt.Sprintf("; a rebuild or upgrade fixes %d", v.Fixable)
		}
		add(RuleVulnerable, level, "%s", msg)
	}
	for _, v := range b.Variants {
		if v.Saving >= o.MinSaving {
			note := ""
			if v.Note != "" {
				note = ", " + v.Note
			}
			add(RuleVariant, severity.Info, "%s is %s for %s; %s is %s (%.0f %% smaller%s); advice only: a variant can change libc and tools",
				b.Reference, human(b.Size), b.Platform, variantRef(b.Reference, v.Tag), human(v.Size), 100*v.Saving, note)
			break // the smallest is enough for a finding; the report lists all
		}
	}
	return out
}

// variantRef writes reference with tag replaced: "python:3.12-slim".
func variantRef(reference, tag string) string {
	name, _, _ := strings.Cut(reference, "@")
	if i := strings.LastIndex(name, ":"); i > strings.LastIndex(name, "/") {
		name = name[:i]
	}
	return name + ":" + tag
}

func created(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return " (created " + t.Format(time.DateOnly) + ")"
}

// counts renders severity counts, most serious first: "1 critical, 2 high".
func counts(c map[string]int) string {
	var parts []string
	for _, s := range vulndb.Severities {
		if n := c[s.String()]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, s))
		}
	}
	return strings.Join(parts, ", ")
}
