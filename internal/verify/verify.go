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
// cleanup. A rule whose unsafe fixes apply only without a dropped rule's
// (apt leaves the install of a split's build stage alone) is then built
// with the rules kept, and kept when it holds. A file whose unsafe fixes
// change nothing is not built at all.
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
	"maps"
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
	latent    []string         // rules whose unsafe fixes apply only without another's (see keepLatent)
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
	fr.unsafe, fr.latent, fr.fixes, fr.needBuild = nil, nil, maps.Clone(all.UnsafeByRule), nil
	if fr.fixes == nil {
		fr.fixes = map[string]int{}
	}
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
		switch {
		case all.UnsafeByRule[t.Name] > 0:
			fr.unsafe = append(fr.unsafe, t.Name)
		case hasUnsafeFix(safe.Remaining, t.Name):
			fr.latent = append(fr.latent, t.Name)
		}
	}
	return nil
}

// hasUnsafeFix reports whether a finding of rule has an unsafe fix.
func hasUnsafeFix(findings []engine.Finding, rule string) bool {
	return slices.ContainsFunc(findings, func(f engine.Finding) bool {
		return f.Rule == rule && f.Fix != nil && f.Fix.Applicability == transform.Unsafe
	})
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
		id := f.Rule
		if f.Code != "" {
			id += "[" + f.Code + "]"
		}
		// as check prints a finding
		fr.res.Failed = append(fr.res.Failed, fmt.Sprintf("%s:%d:%d: %s %s: %s", f.Path, f.Line, f.Col, id, f.Level, f.Message))
	}
}

func key(rules []string) string {
	if rules == nil {
		return "*"
	}
	return strings.Join(rules, ",")
}
