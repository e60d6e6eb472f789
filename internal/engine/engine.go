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
	maxPasses := opts.MaxPasses
	if maxPasses <= 0 {
		maxPasses = DefaultMaxPasses
	}
	res := &Result{Path: path, Input: data, Output: data}
	var input *source.File
	var lastRules []string // rules whose fixes made cur
	var allRules []string  // rules whose fixes were applied in any pass
	cur := data
	for pass := 0; ; pass++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		f, err := source.Parse(path, cur)
		if err != nil {
			if pass == 0 {
				return nil, err
			}
			return nil, fmt.Errorf("%s: fixes by %s made the file unparsable (%v); file left unchanged", path, strings.Join(lastRules, ", "), err)
		}
		if pass == 0 {
			input = f
		} else if input.InstructionsErr() == nil && f.InstructionsErr() != nil {
			return nil, fmt.Errorf("%s: fixes by %s made the file invalid (%v); file left unchanged", path, strings.Join(lastRules, ", "), f.InstructionsErr())
		}
		findings, err := find(ctx, f, opts.Transformers)
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
		// An isolated fix (see transform.Fix.Isolated) is the pass's only
		// fix: the first one, in finding order.
		isolated := slices.IndexFunc(findings, func(fd Finding) bool {
			return fd.Fixable(opts.UnsafeFixes) && fd.Fix.Isolated
		})
		for i, fd := range findings {
			if !fd.Fixable(opts.UnsafeFixes) || isolated >= 0 && i != isolated {
				continue
			}
			merged, ok := edit.Merge(set, fd.Fix.Edits)
			if !ok {
				continue // conflict: it waits for the next pass
			}
			set = merged
			applied[fd.Rule]++
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
		cur = next
		lastRules = rules
	}
}

// find runs the transformers over f and returns their unsuppressed
// findings, sorted by position and transformer order.
func find(ctx context.Context, f *source.File, ts []*transform.Transformer) ([]Finding, error) {
	var out []Finding
	order := map[string]int{}
	for i, t := range ts {
		order[t.Name] = i
		var reported []transform.Finding
		p := &transform.Pass{
			Context:     ctx,
			File:        f,
			Transformer: t,
			Report:      func(fd transform.Finding) { reported = append(reported, fd) },
		}
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
			if suppressed(f, fd) {
				continue
			}
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

// suppressed reports whether a comment directly above the instruction that
// holds the finding ignores it: "# dockmend ignore=RULE,..." naming the
// rule, or "# hadolint ignore=DLxxxx,..." naming the finding's code.
func suppressed(f *source.File, fd transform.Finding) bool {
	line, _ := f.Position(fd.Start)
	for _, in := range f.Instructions {
		if in.StartLine <= line && line <= in.EndLine {
			line = in.StartLine
			break
		}
	}
	for l := line - 1; l >= 1; l-- {
		text := strings.TrimSpace(f.LineText(l))
		if !strings.HasPrefix(text, "#") {
			return false
		}
		tool, ids, ok := ignorePragma(text)
		if !ok {
			continue
		}
		for _, id := range ids {
			if (tool == "dockmend" && (id == fd.Rule || id == "all")) ||
				(tool == "hadolint" && fd.Code != "" && strings.EqualFold(id, fd.Code)) {
				return true
			}
		}
	}
	return false
}

// ignorePragma parses "# TOOL ignore=A,B".
func ignorePragma(comment string) (tool string, ids []string, ok bool) {
	fields := strings.Fields(strings.TrimPrefix(comment, "#"))
	if len(fields) < 2 {
		return "", nil, false
	}
	tool = strings.ToLower(fields[0])
	if tool != "dockmend" && tool != "hadolint" {
		return "", nil, false
	}
	rest := strings.Join(fields[1:], "")
	list, found := strings.CutPrefix(rest, "ignore=")
	if !found {
		return "", nil, false
	}
	for _, id := range strings.Split(list, ",") {
		if id = strings.TrimSpace(id); id != "" {
			ids = append(ids, id)
		}
	}
	return tool, ids, len(ids) > 0
}

// ErrNotConverged is wrapped by errors about fixes that never settle.
var ErrNotConverged = errors.New("fixes did not converge")
