package corpus

import (
	"strings"

	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// probeRules are transformers written for the corpus test: they edit
// every file the way real rules do (append to the last command of a RUN
// through Script's offsets, rewrite keyword bytes through Range), compete
// for the same offset so that the engine must defer one fix, and are
// idempotent. They make the pipeline checks of TestCorpus bite before the
// real rules are registered, and keep checking the model and the engine
// on real files afterwards.
func probeRules() []*transform.Transformer {
	return []*transform.Transformer{
		appendNoop("probe-colon", ":"),
		appendNoop("probe-true", "true"),
		{
			Name: "probe-keyword",
			Doc:  "probe-keyword: write instruction keywords in upper case",
			Run:  upperKeywords,
		},
	}
}

// appendNoop returns a rule that appends " && cmd" to the last command of
// every shell RUN, unless it already ends with a no-op of either probe.
// The two probes insert at the same offset, so the second waits for a
// pass that never needs it.
func appendNoop(name, cmd string) *transform.Transformer {
	return &transform.Transformer{
		Name: name,
		Doc:  name + ": append && " + cmd + " to every shell RUN",
		Run: func(p *transform.Pass) error {
			p.File.Walk(func(in *source.Instruction) {
				s, err := in.Script()
				if err != nil || len(s.File.Stmts) == 0 {
					return
				}
				last := s.File.Stmts[len(s.File.Stmts)-1]
				if last.Semicolon.IsValid() || last.Background || last.Coprocess || endsWithNoop(last) {
					return
				}
				if _, ok := last.Cmd.(*syntax.FuncDecl); ok {
					// "f() cmd": what is appended joins the function's
					// body, and the statement never ends with a no-op.
					return
				}
				at := s.EndOffset(last.End())
				p.Report(transform.Finding{
					Start:   s.Offset(last.Pos()),
					End:     at,
					Message: "probe",
					Fix:     &transform.Fix{Message: "append", Edits: []transform.Edit{{Start: at, End: at, New: " && " + cmd}}},
				})
			})
			return nil
		},
	}
}

// endsWithNoop reports whether st is "... && :" or "... && true".
func endsWithNoop(st *syntax.Stmt) bool {
	b, ok := st.Cmd.(*syntax.BinaryCmd)
	if !ok || b.Op != syntax.AndStmt {
		return false
	}
	call, ok := b.Y.Cmd.(*syntax.CallExpr)
	if !ok || len(call.Args) != 1 {
		return false
	}
	w := call.Args[0].Lit()
	return w == ":" || w == "true"
}

// upperKeywords reports every keyword not in upper case, with a fix.
func upperKeywords(p *transform.Pass) error {
	p.File.Walk(func(in *source.Instruction) {
		n := len(in.Keyword)
		if n > len(in.Logical) || in.Logical[:n] == in.Keyword {
			return
		}
		s, e, ok := in.Range(0, n)
		if !ok || !strings.EqualFold(string(p.File.Data[s:e]), in.Keyword) {
			return
		}
		p.Report(transform.Finding{
			Start:   s,
			End:     e,
			Message: "keyword not in upper case",
			Fix:     &transform.Fix{Message: "upper-case", Edits: []transform.Edit{{Start: s, End: e, New: in.Keyword}}},
		})
	})
	return nil
}
