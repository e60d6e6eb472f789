// This file is longer than 450 lines: it came in before issue 16's rule
// that files say why or are split by concern; split it when next changed.

// Package verify builds a Dockerfile before and after its unsafe fixes,
// compares the images, and keeps only the fixes that hold.
//
// For each file, the engine runs three ways: safe fixes only, every fix,
// and (when that is not enough) each rule's unsafe fixes alone. The
// original is built once. The file with every fix is built and compared
// with it; if it passes, every fix is kept: two builds. If it fails and
// more than one rule made unsafe fixes, each rule's fixes are built alone
// (with the safe fixes), the ones that pass are combined and built once
// more, so that a failing multi-stage split does not cost the apt
// cleanup. A file whose unsafe fixes change nothing is not built at all.
//
// A candidate passes when it builds, its configuration keeps the
// original's (Entrypoint, Cmd, User, WorkingDir, Env, ExposedPorts,
// Volumes, Labels, Healthcheck, StopSignal), every file the Dockerfile's
// own steps made is still there with the same type, mode and owner, its
// executables, libraries and scripts still find their libraries and
// interpreters, and the smoke command, if any, exits the same way with
// the same output. Differences a rewrite is expected to make are
// explained instead (see internal/imagediff). Content that differs is
// reported but fails only under Options.Strict: builds are rarely
// reproducible byte for byte.
//
// The builds run with the builder the user has (internal/builder), under
// tags named localhost/dockmend-verify-*, removed afterwards.
package verify

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/imagediff"
	"github.com/dockmend/dockmend/transform"
)

// File is one Dockerfile to verify.
type File struct {
	// Path is the Dockerfile.
	Path string
	// Name names the file in messages and results; "" means Path.
	Name string
	// Engine configures the rules; UnsafeFixes and UnsafeRules are set
	// by Run.
	Engine engine.Options
	// Build says how to build it.
	Build Build
}

// Build says how to build a Dockerfile.
type Build struct {
	// Context is the build context; "" means the Dockerfile's directory.
	Context string
	// Target builds this stage instead of the last one.
	Target string
	// Platform builds for os/arch[/variant].
	Platform string
	// BuildArgs are --build-arg values.
	BuildArgs map[string]string
	// Smoke, if not nil, is run in both images.
	Smoke *Smoke
}

// Smoke is a command run in both images, which must exit the same way
// with the same output.
type Smoke struct {
	// Args replace the image's CMD (its ENTRYPOINT stays), as in
	// "docker run IMAGE ARGS"; nil runs the image's own command.
	Args []string
}

// Options configure Run.
type Options struct {
	// Builder builds the images.
	Builder builder.Builder
	// Jobs bounds the files verified at once, each running its builds one
	// after another; 0 means 1.
	Jobs int
	// Timeout bounds each build and each smoke run; 0 means none.
	Timeout time.Duration
	// KeepImages keeps the built images instead of removing them.
	KeepImages bool
	// Strict fails a candidate whose files the steps made differ in
	// content, not only in presence, type, mode or owner.
	Strict bool
	// Progress, if set, receives a line when each build starts.
	Progress io.Writer
	// Log, if set, receives the builder's output, each line prefixed
	// with the file's path.
	Log io.Writer
	// Write, if set, writes a file whose verified content differs from
	// what was read (atomicfile.Write).
	Write func(path string, data []byte, orig atomicfile.Stat) error
	// Informed is called, when a rule reported a finding that a build of
	// the original could fix (transform.Finding.NeedsBuild: the
	// multistage split without package metadata for the image's
	// release), with what the build of the original showed, and the
	// names of those rules. The original is then built even when no
	// unsafe fix changes the file. When it returns transformers, they
	// replace the file's rules for the rewrite, which is then verified as
	// usual. nil means Inform: the rules' own Transformer.Inform.
	Informed func(f *File, facts *buildfacts.Facts, rules []string) []*transform.Transformer
	// Emit receives each file's result, in the order of the files. An
	// error from Emit stops Run.
	Emit func(*Result) error
}

// Status is the outcome of one file.
type Status string

const (
	// Unchanged: no unsafe fix changes the file; nothing was built.
	Unchanged Status = "unchanged"
	// Verified: every unsafe fix holds.
	Verified Status = "verified"
	// Dropped: the fixes of at least one rule did not hold.
	Dropped Status = "dropped"
	// Error: the file could not be verified (see Result.Error).
	Error Status = "error"
)

// Result is the outcome of one file.
type Result struct {
	Path   string `json:"path"`
	Status Status `json:"status"`
	// Error says why the file could not be verified.
	Error string `json:"error,omitempty"`
	// Rules are the rules whose unsafe fixes change the file, in the
	// order they run, each kept or dropped.
	Rules []Rule `json:"rules,omitempty"`
	// Original is the image of the file as it was.
	Original *Image `json:"original,omitempty"`
	// Result is the image of the file with the kept fixes, when one was
	// built.
	Result *Image `json:"result,omitempty"`
	// Tries are the candidates built, in order.
	Tries []*Try `json:"tries,omitempty"`
	// Builds counts the images built.
	Builds int `json:"builds"`
	// Written reports that the file was rewritten.
	Written bool `json:"written,omitempty"`
	// Fixed counts the fixes in Output by rule, safe ones included.
	Fixed map[string]int `json:"fixed,omitempty"`
	// Failed are the findings about work a rule could not do on Output
	// (a registry lookup that failed), as "path:line:col: rule: message";
	// like fix, a run with any exits with 2.
	Failed []string `json:"failed,omitempty"`
	// Notes are remarks that do not change the outcome.
	Notes []string `json:"notes,omitempty"`

	// Input is the file as read; Output the file with its safe fixes and
	// the unsafe fixes that held.
	Input, Output []byte `json:"-"`
	// Informed are the rules that named what they could not from the
	// Dockerfile alone from the build of the original (Options.Informed).
	Informed []string `json:"informed,omitempty"`
	// Facts is what the build of the original showed.
	Facts *buildfacts.Facts `json:"-"`
	// Err is the error behind Error.
	Err error `json:"-"`
}

// Rule is a rule whose unsafe fixes change the file.
type Rule struct {
	Name string `json:"rule"`
	// Fixes counts its unsafe fixes.
	Fixes int  `json:"fixes"`
	Kept  bool `json:"kept"`
	// Reason says why its fixes were dropped.
	Reason string `json:"reason,omitempty"`
}

// Image sums up a built image.
type Image struct {
	// Size is the uncompressed size of its layers; Compressed their size
	// gzipped, as a registry stores them.
	Size       int64 `json:"size_bytes"`
	Compressed int64 `json:"compressed_bytes"`
	Layers     int   `json:"layers"`
	// BuildSeconds is the wall time of the build.
	BuildSeconds float64 `json:"build_seconds"`
	// Smoke is the smoke run, if one was asked for.
	Smoke *SmokeRun `json:"smoke,omitempty"`
	// Tag is the image's tag, when it was kept.
	Tag string `json:"tag,omitempty"`
}

// SmokeRun is the outcome of a smoke command.
type SmokeRun struct {
	ExitCode  int    `json:"exit_code"`
	Output    string `json:"output"`
	Truncated bool   `json:"truncated,omitempty"`
}

// Try is one candidate: the file with the unsafe fixes of some rules.
type Try struct {
	// Rules are the rules whose unsafe fixes it has.
	Rules  []string `json:"rules"`
	Passed bool     `json:"passed"`
	// Reasons say why it failed.
	Reasons []string `json:"reasons,omitempty"`
	// Image is the candidate's image, when it built.
	Image *Image `json:"image,omitempty"`
	// Differences are every difference found, the expected ones too.
	Differences []imagediff.Difference `json:"differences,omitempty"`
	// Compared counts the files the steps made that were compared;
	// Checked the executables, libraries and scripts among them.
	Compared int `json:"files_compared"`
	Checked  int `json:"dependencies_checked"`

	output []byte
}

// Run verifies files and emits their results in order. It returns an
// error only when Emit fails or ctx is done; the files' own errors are
// in their results.
func Run(ctx context.Context, files []*File, opts Options) error {
	if opts.Builder == nil {
		return errors.New("verify: no builder")
	}
	jobs := max(opts.Jobs, 1)
	tmp, err := os.MkdirTemp("", "dockmend-verify-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	id := make([]byte, 4)
	rand.Read(id)
	r := &runner{opts: opts, tmp: tmp, tag: "localhost/dockmend-verify-" + hex.EncodeToString(id), total: len(files), bases: map[string]*builder.Image{}}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := opts.Builder.Cleanup(cctx); err != nil {
			r.progress("removing what interrupted builds left: %v", err)
		}
	}()

	type slot struct {
		res  *Result
		done chan struct{}
	}
	slots := make([]*slot, len(files))
	for i := range slots {
		slots[i] = &slot{done: make(chan struct{})}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	go func() {
		for i, f := range files {
			s := slots[i]
			g.Go(func() error {
				defer close(s.done)
				s.res = r.file(gctx, i, f)
				return nil
			})
		}
	}()
	var emitErr error
	for _, s := range slots {
		<-s.done
		if emitErr == nil && opts.Emit != nil && ctx.Err() == nil {
			if emitErr = opts.Emit(s.res); emitErr != nil {
				cancel()
			}
		}
	}
	g.Wait()
	if emitErr != nil {
		return emitErr
	}
	return ctx.Err()
}

// runner is the state of one Run.
type runner struct {
	opts  Options
	tmp   string
	tag   string // image name; tags are <file>-<n>
	total int

	mu    sync.Mutex // serializes Progress and Log, guards bases
	bases map[string]*builder.Image
}

func (r *runner) progress(format string, args ...any) {
	if r.opts.Progress == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	fmt.Fprintf(r.opts.Progress, format+"\n", args...)
}

// fileRun is the verification of one file.
type fileRun struct {
	*runner
	n    int // the file's index
	f    *File
	name string // the file's name in messages
	res  *Result
	stat atomicfile.Stat
	dir  string // the file's temporary directory

	rules     []*transform.Transformer // the rules in use
	safe      []byte                   // the file with its safe fixes
	safeRes   *engine.Result
	unsafe    []string         // rules whose unsafe fixes change it, in order
	needBuild []engine.Finding // findings that a build of the original could fix
	fixes     map[string]int
	orig      imagediff.Side
	origBuilt *built
	smoke     *SmokeRun
	tags      []string
	tries     map[string]*Try // by content
	variants  map[string]*engine.Result
}

// file verifies one file; problems go into the result.
func (r *runner) file(ctx context.Context, n int, f *File) *Result {
	name := f.Name
	if name == "" {
		name = f.Path
	}
	fr := &fileRun{runner: r, n: n, f: f, name: name, res: &Result{Path: name}, tries: map[string]*Try{}}
	fr.dir = filepath.Join(r.tmp, fmt.Sprint(n))
	err := fr.run(ctx)
	if !r.opts.KeepImages && len(fr.tags) > 0 {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		if rerr := r.opts.Builder.Remove(cctx, fr.tags...); rerr != nil {
			fr.res.Notes = append(fr.res.Notes, "removing the built images: "+rerr.Error())
		}
		cancel()
	}
	if err != nil {
		fr.res.Status, fr.res.Err, fr.res.Error = Error, err, err.Error()
		if fr.res.Output == nil && fr.safeRes != nil {
			fr.setOutput(fr.safeRes)
		}
	}
	if fr.res.Output != nil && r.opts.Write != nil && ctx.Err() == nil && string(fr.res.Output) != string(fr.res.Input) {
		if werr := r.opts.Write(f.Path, fr.res.Output, fr.stat); werr != nil {
			fr.res.Status, fr.res.Err, fr.res.Error = Error, werr, werr.Error()
		} else {
			fr.res.Written = true
		}
	}
	return fr.res
}

func (fr *fileRun) run(ctx context.Context) error {
	data, stat, err := atomicfile.Read(fr.f.Path)
	if err != nil {
		return err
	}
	fr.res.Input, fr.stat = data, stat
	if err := os.MkdirAll(fr.dir, 0o700); err != nil {
		return err
	}
	if err := fr.plan(ctx, fr.f.Engine.Transformers); err != nil {
		return err
	}
	if len(fr.unsafe) == 0 && len(fr.needBuild) == 0 {
		fr.res.Status = Unchanged
		fr.setOutput(fr.safeRes)
		return nil
	}
	if err := fr.buildOriginal(ctx); err != nil {
		return err
	}
	if len(fr.needBuild) > 0 {
		if err := fr.inform(ctx); err != nil {
			return err
		}
	}
	if len(fr.unsafe) == 0 {
		fr.res.Status = Unchanged
		fr.setOutput(fr.safeRes)
		return nil
	}
	return fr.choose(ctx)
}

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

// plan runs the engine with safe fixes and with every fix, and finds the
// rules whose unsafe fixes change the file.
func (fr *fileRun) plan(ctx context.Context, rules []*transform.Transformer) error {
	fr.rules = rules
	fr.variants = map[string]*engine.Result{}
	safe, err := fr.engine(ctx, false, nil)
	if err != nil {
		return err
	}
	fr.safe, fr.safeRes = safe.Output, safe
	all, err := fr.engine(ctx, true, nil)
	if err != nil {
		return err
	}
	fr.unsafe, fr.fixes, fr.needBuild = nil, all.UnsafeByRule, nil
	for _, f := range all.Remaining {
		if f.NeedsBuild && f.Fix == nil {
			fr.needBuild = append(fr.needBuild, f)
		}
	}
	fr.variants[key(nil)] = all
	if string(all.Output) == string(safe.Output) {
		return nil
	}
	for _, t := range rules {
		if all.UnsafeByRule[t.Name] > 0 {
			fr.unsafe = append(fr.unsafe, t.Name)
		}
	}
	return nil
}

func (fr *fileRun) engine(ctx context.Context, unsafe bool, only []string) (*engine.Result, error) {
	o := fr.f.Engine
	o.Transformers, o.UnsafeFixes, o.UnsafeRules = fr.rules, unsafe, only
	return engine.Run(ctx, fr.name, fr.res.Input, o)
}

// variant returns the engine's result with the safe fixes and the unsafe
// fixes of the rules only (nil: every rule).
func (fr *fileRun) variant(ctx context.Context, only []string) (*engine.Result, error) {
	if v, ok := fr.variants[key(only)]; ok {
		return v, nil
	}
	res, err := fr.engine(ctx, true, only)
	if err != nil {
		return nil, err
	}
	fr.variants[key(only)] = res
	return res, nil
}

// setOutput makes the engine's result res the file's outcome.
func (fr *fileRun) setOutput(res *engine.Result) {
	fr.res.Output, fr.res.Fixed, fr.res.Failed = res.Output, res.FixedByRule, nil
	for _, f := range res.Failed() {
		fr.res.Failed = append(fr.res.Failed, fmt.Sprintf("%s:%d:%d: %s: %s", f.Path, f.Line, f.Col, f.Rule, f.Message))
	}
}

func key(rules []string) string {
	if rules == nil {
		return "*"
	}
	return strings.Join(rules, ",")
}

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
	for _, rule := range fr.unsafe {
		fr.res.Rules = append(fr.res.Rules, Rule{Name: rule, Fixes: fr.fixes[rule], Kept: slices.Contains(kept, rule), Reason: verdict[rule]})
	}
	fr.res.Status = Verified
	fr.setOutput(fr.safeRes)
	if len(kept) < len(fr.unsafe) {
		fr.res.Status = Dropped
	}
	if len(kept) > 0 {
		only := kept
		if len(kept) == len(fr.unsafe) {
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
