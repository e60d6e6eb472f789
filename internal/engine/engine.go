// Package engine runs transformers over one Dockerfile and applies their
// fixes: find, fix, verify, repeat until nothing changes.
//
// A pass parses the file, runs every transformer, drops suppressed
// findings, and merges the applicable fixes in a fixed order (transformer
// order, then position). A fix that conflicts with one already merged waits
// for the next pass; a fix marked Isolated (a structural change, such as a
// stage split) is applied alone in its pass, ahead of the others. The merged edits are applied and the result is parsed
// again; a result that parses worse than the input, or fixes that never
// converge, leave the file untouched and return an error. The same input
// and transformers always give the same output.
package engine

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// DefaultMaxPasses bounds the fix loop.
const DefaultMaxPasses = 10

// Options configure a run.
type Options struct {
	// Transformers run in this order; it decides which of two conflicting
	// fixes wins a pass.
	Transformers []*transform.Transformer
	// UnsafeFixes applies Unsafe fixes too.
	UnsafeFixes bool
	// NoFix only reports findings.
	NoFix bool
	// MaxPasses bounds the fix loop; 0 means DefaultMaxPasses.
	MaxPasses int
	// UnsafeRules, when not nil, limits the Unsafe fixes applied under
	// UnsafeFixes to those of the named rules; Safe fixes of every rule
	// are still applied. dockmend verify builds such subsets to keep the
	// rules whose unsafe fixes hold and drop the others.
	UnsafeRules []string
	// Checks narrows rules to some of their checks: of a rule named
	// here, only the findings whose Code is listed are reported and
	// fixed (--select DL3009 runs the apt rule for DL3009 alone).
	Checks map[string][]string
	// IgnoreChecks drops the findings whose Code is listed, of every
	// rule (--ignore DL3015). Check ids compare case-insensitively.
	IgnoreChecks []string
	// Levels overrides the level of findings, by check id or by rule
	// name; a check id wins over its rule's name (.dockmend.yaml's
	// levels, .hadolint.yaml's override). Check ids are upper case.
	Levels map[string]severity.Level
}

// keep reports whether a finding of a rule survives Checks and
// IgnoreChecks.
func (o *Options) keep(fd transform.Finding) bool {
	if fd.Code != "" && slices.ContainsFunc(o.IgnoreChecks, func(c string) bool { return strings.EqualFold(c, fd.Code) }) {
		return false
	}
	only, ok := o.Checks[fd.Rule]
	return !ok || fd.Code != "" && slices.ContainsFunc(only, func(c string) bool { return strings.EqualFold(c, fd.Code) })
}

// level returns the level of a finding of t: Levels by code, then by rule
// name, then the finding's own, then the rule's for its code.
func (o *Options) level(t *transform.Transformer, fd transform.Finding) severity.Level {
	if l, ok := o.Levels[strings.ToUpper(fd.Code)]; ok && fd.Code != "" {
		return l
	}
	if l, ok := o.Levels[t.Name]; ok {
		return l
	}
	if fd.Level != severity.None {
		return fd.Level
	}
	return t.LevelOf(fd.Code)
}

// fixable reports whether the fix of fd is applied under o.
func (o *Options) fixable(fd Finding) bool {
	if !fd.Fixable(o.UnsafeFixes) {
		return false
	}
	return o.UnsafeRules == nil || fd.Fix.Applicability == transform.Safe || slices.Contains(o.UnsafeRules, fd.Rule)
}

// Finding is a transformer's finding placed in its file.
type Finding struct {
	transform.Finding
	// Path is the file.
	Path string
	// Line, Col, EndLine and EndCol are 1-based; columns count bytes.
	Line, Col, EndLine, EndCol int
}

// Fixable reports whether the finding has a fix of at most the given
// applicability.
func (f Finding) Fixable(unsafe bool) bool {
	return f.Fix != nil && (unsafe || f.Fix.Applicability == transform.Safe)
}

// Result is the outcome of a run over one file.
type Result struct {
	// Path is the file.
	Path string
	// Input and Output are the file before and after fixing. They are
	// equal when nothing was fixed.
	Input, Output []byte
	// Findings are the findings on the input.
	Findings []Finding
	// Remaining are the findings left on the output.
	Remaining []Finding
	// Fixed counts the fixes applied over all passes.
	Fixed int
	// FixedByRule counts the applied fixes by rule name; nil when none.
	FixedByRule map[string]int
	// UnsafeByRule counts the applied Unsafe fixes by rule name (they are
	// also in FixedByRule); nil when none.
	UnsafeByRule map[string]int
	// Passes counts the passes run.
	Passes int
}

// Failed returns the remaining findings whose rule could not do its work
// (a failed registry lookup): the file is not as the rules would have it.
func (r *Result) Failed() []Finding {
	var out []Finding
	for _, f := range r.Remaining {
		if f.Failed {
			out = append(out, f)
		}
	}
	return out
}

// Changed reports whether the output differs from the input.
func (r *Result) Changed() bool { return string(r.Input) != string(r.Output) }

// Run analyses data, the content of the file at path, and fixes it. A
// parse error of the input, a failing transformer, a fix that breaks the
// file, or fixes that do not converge return an error, and no output.
func Run(ctx context.Context, path string, data []byte, opts Options) (*Result, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := source.Parse(path, data)
	if err != nil {
		return nil, err
	}
	return RunFile(ctx, f, opts)
}

// RunFile is Run on a file parsed already (internal/driver parses each
// file once, for the rules' Prepare and the first pass).
func RunFile(ctx context.Context, f *source.File, opts Options) (*Result, error) {
	maxPasses := opts.MaxPasses
	if maxPasses <= 0 {
		maxPasses = DefaultMaxPasses
	}
	path, data := f.Path, f.Data
	res := &Result{Path: path, Input: data, Output: data}
	// input is the input's parse. A rewrite must pass instructions.Parse
	// when the input does; the input is checked only when a rewrite
	// fails, which is rare (most rewrites pass, and most files are never
	// rewritten).
	input := f
	var lastRules []string // rules whose fixes made cur
	var allRules []string  // rules whose fixes were applied in any pass
	cur := data
	for pass := 0; ; pass++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if pass > 0 {
			var err error
			if f, err = f.Reparse(cur); err != nil {
				return nil, fmt.Errorf("%s: fixes by %s made the file unparsable (%v); file left unchanged", path, strings.Join(lastRules, ", "), err)
			}
		}
		if pass > 0 && f.InstructionsErr() != nil && input.InstructionsErr() == nil {
			return nil, fmt.Errorf("%s: fixes by %s made the file invalid (%v); file left unchanged", path, strings.Join(lastRules, ", "), f.InstructionsErr())
		}
		findings, err := find(ctx, f, &opts)
		if err != nil {
			return nil, err
		}
		if pass == 0 {
			res.Findings = findings
		}
		res.Passes = pass + 1
		res.Remaining = findings
		if opts.NoFix {
			return res, nil
		}
		var set []edit.Edit
		var rules []string
		applied := map[string]int{}
		unsafe := map[string]int{}
		// An isolated fix (see transform.Fix.Isolated) is the pass's only
		// fix: the first one, in finding order.
		isolated := slices.IndexFunc(findings, func(fd Finding) bool {
			return opts.fixable(fd) && fd.Fix.Isolated
		})
		for i, fd := range findings {
			if !opts.fixable(fd) || isolated >= 0 && i != isolated {
				continue
			}
			merged, ok := edit.Merge(set, fd.Fix.Edits)
			if !ok {
				continue // conflict: it waits for the next pass
			}
			set = merged
			applied[fd.Rule]++
			if fd.Fix.Applicability != transform.Safe {
				unsafe[fd.Rule]++
			}
			if !slices.Contains(rules, fd.Rule) {
				rules = append(rules, fd.Rule)
			}
		}
		if len(set) == 0 {
			res.Output = cur
			return res, nil
		}
		for _, r := range rules {
			if !slices.Contains(allRules, r) {
				allRules = append(allRules, r)
			}
		}
		if pass+1 >= maxPasses {
			return nil, fmt.Errorf("%s: %w after %d passes (rules %s); file left unchanged", path, ErrNotConverged, maxPasses, strings.Join(allRules, ", "))
		}
		next, err := edit.Apply(cur, set)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", path, err)
		}
		if string(next) == string(cur) {
			res.Output = cur
			return res, nil
		}
		for r, n := range applied {
			if res.FixedByRule == nil {
				res.FixedByRule = map[string]int{}
			}
			res.FixedByRule[r] += n
			res.Fixed += n
		}
		for r, n := range unsafe {
			if res.UnsafeByRule == nil {
				res.UnsafeByRule = map[string]int{}
			}
			res.UnsafeByRule[r] += n
		}
		cur = next
		lastRules = rules
	}
}

// find runs the transformers over f and returns their unsuppressed
// findings, sorted by position and transformer order.
func find(ctx context.Context, f *source.File, opts *Options) ([]Finding, error) {
	ts := opts.Transformers
	var out []Finding
	order := make(map[string]int, len(ts))
	sup := &suppressions{f: f}
	// One pass and one buffer serve every transformer in turn: a rule's
	// findings are placed in out before the next rule runs.
	var reported []transform.Finding
	p := &transform.Pass{
		Context: ctx,
		File:    f,
		Report:  func(fd transform.Finding) { reported = append(reported, fd) },
	}
	for i, t := range ts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		order[t.Name] = i
		reported = reported[:0]
		p.Transformer = t
		if err := runSafely(t, p); err != nil {
			return nil, fmt.Errorf("%s: rule %s: %w", f.Path, t.Name, err)
		}
		for _, fd := range reported {
			fd.Rule = t.Name
			if fd.Fix != nil {
				for _, e := range fd.Fix.Edits {
					if e.Start < 0 || e.End < e.Start || e.End > len(f.Data) {
						return nil, fmt.Errorf("%s: rule %s: edit %v out of bounds", f.Path, t.Name, e)
					}
				}
				// A fix whose own edits conflict would never merge and
				// so never apply: it is the rule's bug, not a conflict.
				if _, ok := edit.Merge(nil, fd.Fix.Edits); !ok {
					return nil, fmt.Errorf("%s: rule %s: the edits of one fix overlap: %v", f.Path, t.Name, fd.Fix.Edits)
				}
			}
			if sup.suppressed(fd) || !opts.keep(fd) {
				continue
			}
			fd.Level = opts.level(t, fd)
			out = append(out, place(f, fd))
		}
	}
	slices.SortStableFunc(out, func(a, b Finding) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		if order[a.Rule] != order[b.Rule] {
			return order[a.Rule] - order[b.Rule]
		}
		if a.End != b.End {
			return a.End - b.End
		}
		// A rule may report in any order (it may range over a map):
		// break the remaining ties on content, so that which of two
		// alternative fixes wins does not depend on it.
		return compareContent(a.Finding, b.Finding)
	})
	return out, nil
}

// compareContent orders two findings of one rule at one range by code,
// message and fix.
func compareContent(a, b transform.Finding) int {
	if c := cmp.Compare(a.Code, b.Code); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Message, b.Message); c != 0 {
		return c
	}
	switch {
	case a.Fix == nil && b.Fix == nil:
		return 0
	case a.Fix == nil:
		return -1
	case b.Fix == nil:
		return 1
	}
	if c := cmp.Compare(a.Fix.Applicability, b.Fix.Applicability); c != 0 {
		return c
	}
	if c := cmp.Compare(a.Fix.Message, b.Fix.Message); c != 0 {
		return c
	}
	return slices.CompareFunc(a.Fix.Edits, b.Fix.Edits, func(x, y transform.Edit) int {
		return cmp.Or(cmp.Compare(x.Start, y.Start), cmp.Compare(x.End, y.End), cmp.Compare(x.New, y.New))
	})
}

// runSafely runs a transformer, turning a panic into an error so that one
// faulty rule on one file does not stop the others.
func runSafely(t *transform.Transformer, p *transform.Pass) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
		}
	}()
	return t.Run(p)
}

func place(f *source.File, fd transform.Finding) Finding {
	l, c := f.Position(fd.Start)
	el, ec := f.Position(fd.End)
	return Finding{Finding: fd, Path: f.Path, Line: l, Col: c, EndLine: el, EndCol: ec}
}

// ErrNotConverged is wrapped by errors about fixes that never settle.
var ErrNotConverged = errors.New("fixes did not converge")
