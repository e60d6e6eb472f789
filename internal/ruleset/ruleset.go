// Package ruleset is the ordered list of dockmend's transformers and the
// selection logic behind --select and --ignore.
package ruleset

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/transform"
	"github.com/dockmend/dockmend/transform/apk"
	"github.com/dockmend/dockmend/transform/apt"
	"github.com/dockmend/dockmend/transform/composer"
	"github.com/dockmend/dockmend/transform/dnf"
	"github.com/dockmend/dockmend/transform/gem"
	"github.com/dockmend/dockmend/transform/multistage"
	"github.com/dockmend/dockmend/transform/npm"
	"github.com/dockmend/dockmend/transform/pin"
	"github.com/dockmend/dockmend/transform/pip"
	"github.com/dockmend/dockmend/transform/tag"
	"github.com/dockmend/dockmend/transform/yarn"
	"github.com/dockmend/dockmend/transform/zypper"
)

// Config carries the settings of transformers that need them.
type Config struct {
	// Pin configures the pin rule: its resolver, build args, platform.
	Pin pin.Options
	// Multistage configures the multistage rule: runtime bases, build args.
	Multistage multistage.Options
	// CacheMounts makes the apt, npm, yarn and pip rules fix with BuildKit
	// cache mounts instead of removing what they leave (.dockmend.yaml
	// cache-mounts).
	CacheMounts bool
	// Tag configures the tag rule: its registry, build args.
	Tag tag.Options
}

// All returns every transformer in the order the engine runs them. The
// order decides which of two conflicting fixes is applied first.
func All(cfg Config) []*transform.Transformer {
	return []*transform.Transformer{
		pin.New(cfg.Pin),
		apt.New(apt.Options{CacheMounts: cfg.CacheMounts}),
		apk.Transformer,
		dnf.Transformer,
		zypper.Transformer,
		pip.New(pip.Options{CacheMounts: cfg.CacheMounts}),
		npm.New(npm.Options{CacheMounts: cfg.CacheMounts}),
		yarn.New(yarn.Options{CacheMounts: cfg.CacheMounts}),
		gem.Transformer,
		composer.Transformer,
		multistage.New(cfg.Multistage),
		tag.New(cfg.Tag),
	}
}

// Configure returns ts with each rule that takes settings (see Config)
// built for cfg, in the same order; the other rules, and rules that are
// not dockmend's, are returned as they are. A configuration's rules are
// built once: Select the rules by name among All(Config{}), then Configure
// them.
func Configure(ts []*transform.Transformer, cfg Config) []*transform.Transformer {
	configured := All(cfg)
	out := make([]*transform.Transformer, len(ts))
	for i, t := range ts {
		out[i] = t
		if c, err := Lookup(configured, t.Name); err == nil {
			out[i] = c
		}
	}
	return out
}

// Lookup returns the transformer called name, or an error that lists the
// rules.
func Lookup(all []*transform.Transformer, name string) (*transform.Transformer, error) {
	for _, t := range all {
		if t.Name == name {
			return t, nil
		}
	}
	return nil, unknown(all, name)
}

// unknown is the error about a name that is not a rule.
func unknown(all []*transform.Transformer, name string) error {
	var names []string
	for _, t := range all {
		names = append(names, t.Name)
	}
	return fmt.Errorf("unknown rule %q (rules: %s)", name, strings.Join(names, ", "))
}

// Select picks transformers by name, as Choose does, and returns the
// rules alone.
func Select(all []*transform.Transformer, selected, ignored []string) ([]*transform.Transformer, error) {
	sel, err := Choose(all, selected, ignored)
	return sel.Rules, err
}

// Selection is what --select and --ignore choose: the rules to run, and
// the checks that narrow them.
type Selection struct {
	// Rules are the rules to run, in the order of all.
	Rules []*transform.Transformer
	// Checks narrows the rules selected by a check id alone to those
	// checks, by rule name (engine.Options.Checks).
	Checks map[string][]string
	// IgnoreChecks are the check ids whose findings are dropped
	// (engine.Options.IgnoreChecks), upper case.
	IgnoreChecks []string
}

// checkIDRe matches the ids of hadolint's checks and of the ShellCheck
// checks hadolint reports, which configurations copied from hadolint name.
var checkIDRe = regexp.MustCompile(`^(?i)(DL|SC)\d{4}$`)

// CheckID returns name as a check id (upper case for hadolint's and
// ShellCheck's, "DL3009") when it is one: hadolint's DLnnnn or ShellCheck's
// SCnnnn, or a check id a rule of all fixes. ok is false for anything
// else, such as a rule name.
func CheckID(all []*transform.Transformer, name string) (id string, ok bool) {
	if checkIDRe.MatchString(name) {
		return strings.ToUpper(name), true
	}
	for _, t := range all {
		if slices.Contains(t.Fixes, name) {
			return name, true
		}
	}
	return "", false
}

// isRule reports whether a rule of all is called name.
func isRule(all []*transform.Transformer, name string) bool {
	return slices.ContainsFunc(all, func(t *transform.Transformer) bool { return t.Name == name })
}

// owners returns the rules of all that fix the check id.
func owners(all []*transform.Transformer, id string) []*transform.Transformer {
	var out []*transform.Transformer
	for _, t := range all {
		if slices.Contains(t.Fixes, id) {
			out = append(out, t)
		}
	}
	return out
}

// Check reports a name of a --select (select true) or --ignore list that
// is neither a rule, "all", nor a check id; in a --select list, a check
// id that no rule fixes is an error too, since selecting it would run
// nothing. An --ignore list may name any hadolint check: a configuration
// carried over from hadolint ignores checks dockmend does not have.
func Check(all []*transform.Transformer, names []string, selecting bool) error {
	for _, n := range names {
		if n == "all" || isRule(all, n) {
			continue
		}
		id, ok := CheckID(all, n)
		if !ok {
			return unknown(all, n)
		}
		if selecting && len(owners(all, id)) == 0 {
			return fmt.Errorf("no rule checks %s (the checks dockmend fixes: %s)", id, checkList(all))
		}
	}
	return nil
}

// checkList lists the check ids the rules fix, each with its rule:
// "DL3009 (apt), DL3014 (apt), ...".
func checkList(all []*transform.Transformer) string {
	var parts []string
	for _, t := range all {
		for _, c := range t.Fixes {
			parts = append(parts, c+" ("+t.Name+")")
		}
	}
	return strings.Join(parts, ", ")
}

// Choose picks transformers by name or check id. With nothing selected it
// takes the ones that run by default; "all" selects every transformer; a
// check id (DL3009) selects the rules that fix it, narrowed to that check
// unless the rule is also selected by name. Ignored names are removed
// afterwards, and ignored check ids drop those checks' findings. A name
// that is neither a rule nor a check id is an error (see Check).
func Choose(all []*transform.Transformer, selected, ignored []string) (Selection, error) {
	if err := Check(all, selected, true); err != nil {
		return Selection{}, err
	}
	if err := Check(all, ignored, false); err != nil {
		return Selection{}, err
	}
	var sel Selection
	whole := map[string]bool{}      // selected by name, or by "all"
	checks := map[string][]string{} // selected by check id only
	for _, n := range selected {
		if id, ok := CheckID(all, n); ok && n != "all" && !isRule(all, n) {
			for _, t := range owners(all, id) {
				if !slices.Contains(checks[t.Name], id) {
					checks[t.Name] = append(checks[t.Name], id)
				}
			}
			continue
		}
		whole[n] = true
	}
	for _, n := range ignored {
		if id, ok := CheckID(all, n); ok && n != "all" && !isRule(all, n) && !slices.Contains(sel.IgnoreChecks, id) {
			sel.IgnoreChecks = append(sel.IgnoreChecks, id)
		}
	}
	for _, t := range all {
		var on bool
		switch {
		case len(selected) == 0:
			on = t.Default
		case whole["all"] || whole[t.Name]:
			on = true
		case len(checks[t.Name]) > 0:
			on = true
			if sel.Checks == nil {
				sel.Checks = map[string][]string{}
			}
			sel.Checks[t.Name] = checks[t.Name]
		}
		if slices.Contains(ignored, t.Name) || slices.Contains(ignored, "all") {
			on = false
			delete(sel.Checks, t.Name)
		}
		if on {
			sel.Rules = append(sel.Rules, t)
		}
	}
	return sel, nil
}
