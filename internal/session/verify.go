package session

import (
	"context"
	"fmt"
	"io"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/verify"
)

// VerifyOptions configure Session.Verify, and migrate --verify.
type VerifyOptions struct {
	// Builder names the builder to use (docker, podman, buildah, or a
	// path to one; "" for the first found on PATH). It is looked for
	// once there is something to verify, unless Options.Builder is set.
	Builder string
	// Found, when not nil, is set to the builder found.
	Found *builder.Builder
	// Build is how the flags say to build, over each file's
	// configuration.
	Build verify.Build
	// Options are how to run the builds (jobs, timeouts, images kept).
	Options verify.Options
	// Format and Out are the report's (Verify only).
	Format string
	Out    io.Writer
	// Write applies the fixes that hold (fix --verify).
	Write bool
}

// setup finds the builder, once.
func (o *VerifyOptions) setup(ctx context.Context) error {
	if o.Options.Builder == nil {
		b, err := builder.Find(ctx, builder.FindOptions{Name: o.Builder})
		if err != nil {
			return err
		}
		o.Options.Builder = b
	}
	if o.Found != nil {
		*o.Found = o.Options.Builder
	}
	return nil
}

// Verify builds the Dockerfiles of p before and after their unsafe fixes
// and keeps the rules whose fixes hold (internal/verify), writing them
// when o.Write is set; the report goes to o.Out. It returns the summary,
// nil when there was nothing to verify, and the problems of the run.
func (s *Session) Verify(ctx context.Context, p *Plan, o VerifyOptions) (*verify.Summary, *Result, error) {
	res := &Result{}
	for _, err := range p.Errs {
		s.fail(res, "", err)
	}
	if len(p.Files) == 0 {
		if len(p.Errs) == 0 {
			fmt.Fprintln(s.opts.Stderr, "dockmend: no Dockerfiles found")
		}
		return nil, res, nil
	}
	if err := o.setup(ctx); err != nil {
		return nil, res, err
	}
	finder := config.NewFinder()
	var files []*verify.File
	for _, f := range p.Files {
		files = append(files, verify.NewFile(f.Path, f.Options, finder, s.set.configFile(), o.Build))
	}
	if err := driver.Prepare(ctx, p.Files); err != nil { // the pin rule's lookups
		return nil, res, err
	}
	opts := o.Options
	if o.Write {
		opts.Write = atomicfile.Write
	}
	sum, err := verify.Report(ctx, files, opts, o.Format, o.Out)
	if err != nil {
		return nil, res, err
	}
	if o.Write {
		for _, err := range s.SaveLockfiles() {
			s.fail(res, "", err)
		}
	}
	return sum, res, nil
}

// Compare compares two images already built, original and rewritten
// (verify --compare), with Verify's checks: nothing is built. Each is
// read with the Dockerfile it was built from; the settings of the build
// (target, platform, build args, smoke command) are the flags' (o.Setup)
// over the rewritten Dockerfile's configuration file. An error means the
// comparison could not be made; a rewritten image that does not hold is
// a Comparison whose Passed is false.
func (s *Session) Compare(ctx context.Context, original, rewritten verify.BuiltImage, o VerifyOptions) (*verify.Comparison, error) {
	if err := o.setup(ctx); err != nil {
		return nil, err
	}
	c, err := s.set.configFor(rewritten.Dockerfile)
	if err != nil {
		return nil, PathError(err)
	}
	req := verify.CompareRequest{Original: original, Rewritten: rewritten, Build: verify.BuildFor(c, rewritten.Dockerfile, o.Build)}
	return verify.Compare(ctx, req, o.Options)
}
