package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/transform"
)

// Build-informed rewrites: a rule that cannot fix a finding from the
// Dockerfile alone, but could with what a build of the original shows,
// marks it NeedsBuild; the original is then built, and the rule is run
// again, informed by the build's facts (Options.Informed).

// inform runs the rules again, informed by the build of the original,
// for the findings that asked for it.
func (fr *fileRun) inform(ctx context.Context) error {
	needed := fr.needBuild
	var names []string
	for _, f := range needed {
		if !slices.Contains(names, f.Rule) {
			names = append(names, f.Rule)
		}
	}
	informed := fr.opts.Informed
	if informed == nil {
		informed = Inform
	}
	var ts []*transform.Transformer
	if t := fr.f.Build.Target; t == "" || lastStage(fr.name, fr.res.Input, t) {
		// The facts are of the final stage, which the rules rewrite.
		ts = informed(fr.f, fr.res.Facts, names)
	}
	if ts == nil {
		for _, f := range needed {
			fr.note(fmt.Sprintf("%s: not fixed: %s", f.Rule, noFixReason(f.Message)))
		}
		return nil
	}
	if err := fr.plan(ctx, ts); err != nil {
		return err
	}
	for _, f := range needed {
		if slices.Contains(fr.unsafe, f.Rule) {
			fr.res.Informed = append(fr.res.Informed, f.Rule)
			fr.note(fmt.Sprintf("%s: named from the build of the original what it could not name from the Dockerfile (%s)", f.Rule, noFixReason(f.Message)))
			continue
		}
		why := noFixReason(f.Message)
		for _, g := range fr.variants[key(nil)].Remaining {
			if g.Rule == f.Rule && g.Fix == nil {
				why = noFixReason(g.Message)
			}
		}
		fr.note(fmt.Sprintf("%s: not fixed, even with the build of the original: %s", f.Rule, why))
	}
	return nil
}

// noFixReason returns the reason of a finding without a fix: what
// follows "no fix: " in its message, or the message.
func noFixReason(msg string) string {
	if _, why, ok := strings.Cut(msg, "; no fix: "); ok {
		return why
	}
	return msg
}

// Inform is the default Options.Informed: the file's rules, with each
// rule named in rules replaced by the rule informed by facts
// (transform.Transformer.Inform). It returns nil when no rule takes the
// facts.
func Inform(f *File, facts *buildfacts.Facts, rules []string) []*transform.Transformer {
	if facts == nil {
		return nil
	}
	var out []*transform.Transformer
	informed := false
	for _, t := range f.Engine.Transformers {
		if t.Inform != nil && slices.Contains(rules, t.Name) {
			if it := t.Inform(facts); it != nil {
				out = append(out, it)
				informed = true
				continue
			}
		}
		out = append(out, t)
	}
	if !informed {
		return nil
	}
	return out
}
