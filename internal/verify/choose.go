package verify

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// choose builds candidates and decides which rules' fixes to keep.
func (fr *fileRun) choose(ctx context.Context) error {
	verdict := map[string]string{} // rule -> why it was dropped
	var kept []string
	all, err := fr.try(ctx, nil)
	if err != nil {
		return err
	}
	switch {
	case all.Passed:
		kept = fr.unsafe
	case len(fr.unsafe) == 1:
		verdict[fr.unsafe[0]] = strings.Join(all.Reasons, "; ")
	default:
		var pass []string
		for _, rule := range fr.unsafe {
			t, err := fr.try(ctx, []string{rule})
			if err != nil {
				return err
			}
			switch {
			case t == nil:
				verdict[rule] = "its fixes apply only together with the other rules' fixes, which did not hold: " + strings.Join(all.Reasons, "; ")
			case t.Passed:
				pass = append(pass, rule)
			default:
				verdict[rule] = strings.Join(t.Reasons, "; ")
			}
		}
		if len(pass) > 0 {
			kept = pass[:1]
			for _, rule := range pass[1:] {
				with := append(slices.Clone(kept), rule)
				t, err := fr.try(ctx, with)
				if err != nil {
					return err
				}
				if t == nil || t.Passed {
					kept = with
					continue
				}
				verdict[rule] = fmt.Sprintf("its fixes hold alone, but not together with %s's: %s", strings.Join(kept, ", "), strings.Join(t.Reasons, "; "))
			}
		}
	}
	dropped := len(kept) < len(fr.unsafe)
	tried, err := fr.keepLatent(ctx, &kept, verdict)
	if err != nil {
		return err
	}
	for _, t := range fr.rules {
		if rule := t.Name; slices.Contains(fr.unsafe, rule) || slices.Contains(tried, rule) {
			fr.res.Rules = append(fr.res.Rules, Rule{Name: rule, Fixes: fr.fixes[rule], Kept: slices.Contains(kept, rule), Reason: verdict[rule]})
		}
	}
	fr.res.Status = Verified
	fr.setOutput(fr.safeRes)
	if dropped {
		fr.res.Status = Dropped
	}
	if len(kept) > 0 {
		only := kept
		if slices.Equal(kept, fr.unsafe) {
			only = nil
		}
		v, err := fr.variant(ctx, only)
		if err != nil {
			return err
		}
		out := v.Output
		fr.setOutput(v)
		if t := fr.tries[string(out)]; t != nil {
			fr.res.Result = t.Image
		}
	}
	return nil
}

// keepLatent tries, once a rule's unsafe fixes were dropped, the rules
// whose unsafe fixes apply only without them: the apt rule leaves the
// install of a build stage alone, so its --no-install-recommends comes
// back when the multi-stage split is dropped. Each such rule that now
// makes unsafe fixes is built with the rules kept, and added to *kept
// when it holds; verdict gets the reason of one that does not. It
// returns the rules tried.
func (fr *fileRun) keepLatent(ctx context.Context, kept *[]string, verdict map[string]string) ([]string, error) {
	if len(fr.latent) == 0 || slices.Equal(*kept, fr.unsafe) {
		return nil, nil
	}
	var tried []string
	for _, rule := range fr.latent {
		with := append(slices.Clone(*kept), rule)
		v, err := fr.variant(ctx, with)
		if err != nil {
			return nil, err
		}
		if v.UnsafeByRule[rule] == 0 {
			continue // a rule kept still stands in its way
		}
		t, err := fr.try(ctx, with)
		if err != nil {
			return nil, err
		}
		if t == nil {
			continue
		}
		tried = append(tried, rule)
		fr.fixes[rule] = v.UnsafeByRule[rule]
		if !t.Passed {
			verdict[rule] = strings.Join(t.Reasons, "; ")
			continue
		}
		*kept = with
	}
	return tried, nil
}
