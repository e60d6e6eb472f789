package cli

import (
	"context"
	"fmt"
	"slices"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/redact"
	"github.com/dockmend/dockmend/internal/report"
	"github.com/dockmend/dockmend/internal/resolve"
)

// execution is the outcome of running a plan: the exit code so far and
// the errors, which have been printed to standard error as they came.
type execution struct {
	code int
	errs []report.Error
}

func (x *execution) raise(code int) { x.code = max(x.code, code) }

// fail prints err, with credentials masked, and records it.
func (x *execution) fail(env *Env, path string, err error) {
	msg := redact.String(err.Error())
	fmt.Fprintln(env.Stderr, msg)
	x.errs = append(x.errs, report.Error{Path: path, Message: msg})
	x.raise(ExitError)
}

// run processes the plan's files, writing changed files in place when
// write is set, and calls emit with each file that was processed, in
// order. Errors are printed and recorded; the returned error is one that
// stopped the run (emit failing, or an interrupt). Findings about work a
// rule could not do (transform.Finding.Failed, such as a failed registry
// lookup) raise the exit code to ExitError; with showFailed they are also
// printed to standard error, for commands that do not list findings.
func (o *options) run(ctx context.Context, env *Env, p *plan, write, showFailed bool, emit func(driver.Outcome) error) (*execution, error) {
	x := &execution{}
	for _, w := range p.warnings {
		fmt.Fprintf(env.Stderr, "%s: warning: %s\n", w.Path, w.Message)
	}
	for _, sk := range p.skipped {
		fmt.Fprintln(env.Stderr, sk)
	}
	for _, err := range p.errs {
		x.fail(env, "", err)
	}
	if len(p.files) == 0 && len(p.errs) == 0 {
		fmt.Fprintln(env.Stderr, "dockmend: no Dockerfiles found")
	}
	defer p.reg.close()
	// Registries that could not be reached are said once each, after the
	// files, not once per reference: Prepare has looked everything up.
	var unreachable []resolve.Unreachable
	opts := driver.Options{
		Prepare: func(ctx context.Context, loaded []driver.Loaded) error {
			err := prefetch(p.pins)(ctx, loaded)
			unreachable = p.reg.unreachable()
			return err
		},
		Emit: func(out driver.Outcome) error {
			if out.Err != nil {
				x.fail(env, out.File.Path, out.Err)
				return nil
			}
			if len(unreachable) > 0 {
				// Left out of what diff and fix print; check lists every
				// finding (Result.Findings).
				out.Result.Remaining = slices.DeleteFunc(slices.Clone(out.Result.Remaining), func(f engine.Finding) bool {
					return aboutUnreachable(f.Finding, unreachable)
				})
			}
			if failed := out.Result.Failed(); len(failed) > 0 {
				x.raise(ExitError)
				if showFailed {
					f := report.File{Path: out.Result.Path, Data: out.Result.Output, Findings: failed}
					if err := report.Text(env.Stderr, f); err != nil {
						return err
					}
				}
			}
			return emit(out)
		},
	}
	if write {
		opts.Write = atomicfile.Write
	}
	err := driver.Run(ctx, p.files, opts)
	for _, u := range unreachable {
		refs := "1 image reference"
		if u.Refs != 1 {
			refs = fmt.Sprintf("%d image references", u.Refs)
		}
		what := u.Registry
		if u.Mirror != "" {
			what += " (through its mirror " + u.Mirror + ")"
		}
		x.fail(env, "", fmt.Errorf("cannot reach registry %s: %s (%s not resolved)", what, u.Err, refs))
	}
	if len(unreachable) > 0 {
		fmt.Fprintln(env.Stderr, unreachableHint)
	}
	return x, err
}
