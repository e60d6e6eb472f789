// Package ruleset is the ordered list of dockmend's transformers and the
// selection logic behind --select and --ignore.
package ruleset

import (
	"fmt"
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

// Select picks transformers by name. With no names selected it takes the
// ones that run by default; "all" selects every transformer. Ignored names
// are removed afterwards. An unknown name is an error.
func Select(all []*transform.Transformer, selected, ignored []string) ([]*transform.Transformer, error) {
	known := func(name string) error {
		if name == "all" || slices.ContainsFunc(all, func(t *transform.Transformer) bool { return t.Name == name }) {
			return nil
		}
		return unknown(all, name)
	}
	for _, n := range append(slices.Clone(selected), ignored...) {
		if err := known(n); err != nil {
			return nil, err
		}
	}
	var out []*transform.Transformer
	for _, t := range all {
		var on bool
		if len(selected) == 0 {
			on = t.Default
		} else {
			on = slices.Contains(selected, "all") || slices.Contains(selected, t.Name)
		}
		if slices.Contains(ignored, t.Name) || slices.Contains(ignored, "all") {
			on = false
		}
		if on {
			out = append(out, t)
		}
	}
	return out, nil
}
