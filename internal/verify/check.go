package verify

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/imagediff"
)

// built is an image built for a file: its tag, summary and content.
type built struct {
	tag   string
	image *Image
	side  imagediff.Side
}

// buildOriginal builds the file as it is, reads its image and runs the
// smoke command in it.
func (fr *fileRun) buildOriginal(ctx context.Context) error {
	fr.progress("%s: building the original", fr.name)
	b, err := fr.build(ctx, fr.f.Path, fr.res.Input, "original", nil)
	if err != nil {
		return fmt.Errorf("%s: the original does not build, so there is nothing to verify: %w", fr.name, err)
	}
	fr.orig, fr.origBuilt = b.side, b
	fr.res.Original = b.image
	fr.res.Facts = b.side.Facts()
	fr.res.Facts.Dockerfile, fr.res.Facts.Target = fr.name, fr.f.Build.Target
	if fr.f.Build.Smoke != nil {
		run, err := fr.smokeRun(ctx, b)
		if err != nil {
			return fmt.Errorf("%s: the smoke command in the original image: %w", fr.name, err)
		}
		fr.smoke, b.image.Smoke = run, run
	}
	return nil
}

// try builds the file with the unsafe fixes of rules (nil: every rule)
// and compares it with the original. It returns nil when those fixes
// leave the file as the safe fixes do.
func (fr *fileRun) try(ctx context.Context, rules []string) (*Try, error) {
	v, err := fr.variant(ctx, rules)
	if err != nil {
		return nil, err
	}
	out := v.Output
	if string(out) == string(fr.safe) {
		return nil, nil
	}
	if t := fr.tries[string(out)]; t != nil {
		return t, nil
	}
	names := rules
	if names == nil {
		names = fr.unsafe
	}
	t := &Try{Rules: slices.Clone(names), output: out}
	fr.tries[string(out)] = t
	fr.res.Tries = append(fr.res.Tries, t)
	fr.progress("%s: building with the unsafe fixes of %s", fr.name, strings.Join(names, ", "))
	created := map[string]bool{}
	for _, p := range fr.orig.Created() {
		created[p] = true
	}
	b, err := fr.build(ctx, fr.f.Path, out, fmt.Sprintf("try%d", len(fr.res.Tries)), func(p string, _, _ int) bool { return created[p] })
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		t.Reasons = []string{"the rewritten Dockerfile does not build: " + err.Error()}
		return t, nil
	}
	fr.judge(ctx, t, b)
	return t, ctx.Err()
}

// judge compares the candidate's image b with the original's, runs the
// smoke command in it, and records in t whether it passed and why not.
func (fr *fileRun) judge(ctx context.Context, t *Try, b *built) {
	t.Image = b.image
	c := imagediff.Compare(fr.orig, b.side)
	t.Differences, t.Compared, t.Checked = c.Differences, c.Created, c.Checked
	kinds := []string{imagediff.KindConfig, imagediff.KindMissing, imagediff.KindMetadata, imagediff.KindDependency, imagediff.KindAccount}
	if fr.opts.Strict {
		kinds = append(kinds, imagediff.KindContent)
	}
	for _, d := range c.Unexpected(kinds...) {
		t.Reasons = append(t.Reasons, reason(d))
	}
	if fr.f.Build.Smoke != nil {
		run, err := fr.smokeRun(ctx, b)
		if err != nil {
			if ctx.Err() != nil {
				return
			}
			t.Reasons = append(t.Reasons, "the smoke command could not run: "+err.Error())
		} else {
			b.image.Smoke = run
			if why := smokeDiffers(fr.smoke, run); why != "" {
				// A difference counts when a second run of both images
				// shows it again: a loaded machine or a flaky runtime
				// must not drop a fix.
				if fr.smokeAgain(ctx, b) {
					fr.note("the smoke command's output differed once (" + why + "); a second run of both images agreed")
				} else {
					t.Reasons = append(t.Reasons, why)
				}
			}
		}
	}
	t.Passed = len(t.Reasons) == 0
}

// smokeAgain runs the smoke command in the original image and in b once
// more and reports whether they agree.
func (fr *fileRun) smokeAgain(ctx context.Context, b *built) bool {
	orig, err := fr.smokeRun(ctx, fr.origBuilt)
	if err != nil {
		return false
	}
	run, err := fr.smokeRun(ctx, b)
	return err == nil && smokeDiffers(orig, run) == ""
}

// reason words a difference that fails a candidate.
func reason(d imagediff.Difference) string {
	switch d.Kind {
	case imagediff.KindMissing:
		return fmt.Sprintf("%s (%s), which the Dockerfile's steps made, is missing", d.Subject, d.Before)
	case imagediff.KindConfig:
		return fmt.Sprintf("the image's %s changed: %s -> %s", d.Subject, orUnset(d.Before), orUnset(d.After))
	case imagediff.KindDependency:
		return fmt.Sprintf("%s %s", d.Subject, d.After)
	case imagediff.KindAccount:
		return fmt.Sprintf("%s changed: %s -> %s", d.Subject, d.Before, d.After)
	case imagediff.KindContent:
		return fmt.Sprintf("%s has other content: %s -> %s", d.Subject, d.Before, d.After)
	}
	return d.String()
}

func orUnset(s string) string {
	if s == "" {
		return "unset"
	}
	return s
}

// smokeDiffers says how the candidate's smoke run differs, or "".
func smokeDiffers(orig, run *SmokeRun) string {
	if orig.ExitCode != run.ExitCode {
		return fmt.Sprintf("the smoke command exits with %d, not %d as in the original; its output ends: %s", run.ExitCode, orig.ExitCode, lastLines(run.Output, 3))
	}
	if orig.Output != run.Output {
		return fmt.Sprintf("the smoke command prints other output (%d bytes, not %d); the first line that differs is %s", len(run.Output), len(orig.Output), firstDiff(orig.Output, run.Output))
	}
	return ""
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return fmt.Sprintf("%q", strings.Join(lines, "\n"))
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < max(len(al), len(bl)); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d: %q, was %q", i+1, y, x)
		}
	}
	return "?"
}

// build builds data as the file at path (name tags the image) and loads
// the image (see load).
func (fr *fileRun) build(ctx context.Context, path string, data []byte, name string, hash func(string, int, int) bool) (*built, error) {
	b := fr.opts.Builder
	dockerfile := path
	if name != "original" {
		var err error
		if dockerfile, err = fr.writeVariant(path, data, name); err != nil {
			return nil, err
		}
	}
	contextDir := fr.f.Build.Context
	if contextDir == "" {
		contextDir = filepath.Dir(path)
	}
	tag := fmt.Sprintf("%s:%d-%s", fr.tag, fr.n+1, name)
	var args []string
	for _, k := range slices.Sorted(maps.Keys(fr.f.Build.BuildArgs)) {
		args = append(args, k+"="+fr.f.Build.BuildArgs[k])
	}
	start := time.Now()
	fr.tags = append(fr.tags, tag)
	fr.res.Builds++
	err := fr.op(ctx, func(ctx context.Context) error {
		_, err := b.Build(ctx, builder.BuildRequest{
			Dockerfile: dockerfile, Context: contextDir, Tag: tag,
			Target: fr.f.Build.Target, Platform: fr.f.Build.Platform, BuildArgs: args,
			Log: fr.logWriter(),
		})
		return err
	})
	if err != nil {
		return nil, err
	}
	took := time.Since(start).Round(100 * time.Millisecond).Seconds()
	bt, err := fr.load(ctx, tag, path, data, name, hash)
	if err != nil {
		return nil, err
	}
	bt.image.BuildSeconds = took
	if fr.opts.KeepImages {
		bt.image.Tag = tag
	}
	return bt, nil
}

// load reads the image tag, built from data as the file at path: finds
// the layers of its base and reads the image (saved to name.tar in the
// file's temporary directory), hashing the files hash selects (nil: the
// files of the layers above the base).
func (fr *fileRun) load(ctx context.Context, tag, path string, data []byte, name string, hash func(string, int, int) bool) (*built, error) {
	b := fr.opts.Builder
	img := &Image{}
	side := imagediff.Side{}
	base, err := finalBase(path, data, fr.f.Build.Target, fr.f.Build.BuildArgs, fr.f.Build.Platform)
	if err != nil {
		return nil, err
	}
	side.Base = base
	var baseIDs []string
	if base != "" {
		err := fr.op(ctx, func(ctx context.Context) error {
			bi, err := fr.inspectBase(ctx, base)
			if err != nil {
				return err
			}
			baseIDs, side.BaseConfig = bi.DiffIDs, &bi.Config
			return nil
		})
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			fr.note(fmt.Sprintf("the base image %s could not be inspected, so every file of the image counts as made by the steps: %v", base, err))
		}
	}
	if hash == nil {
		hash = func(_ string, layer, baseLayers int) bool { return layer >= baseLayers }
	}
	archive := filepath.Join(fr.dir, name+".tar")
	defer os.Remove(archive)
	if err := fr.op(ctx, func(ctx context.Context) error { return b.Save(ctx, tag, archive) }); err != nil {
		return nil, err
	}
	if side.Image, err = imagediff.Read(archive, imagediff.ReadOptions{BaseDiffIDs: baseIDs, Hash: hash}); err != nil {
		return nil, err
	}
	side.BaseLayers = side.Image.BaseLayers
	img.Size, img.Compressed, img.Layers = side.Image.Size(), side.Image.CompressedSize(), len(side.Image.Layers)
	return &built{tag: tag, image: img, side: side}, nil
}

// writeVariant writes a rewritten Dockerfile into the file's temporary
// directory under the original's name, beside a copy of its own
// .dockerignore, if it has one.
func (fr *fileRun) writeVariant(path string, data []byte, name string) (string, error) {
	dir := filepath.Join(fr.dir, name)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	out := filepath.Join(dir, filepath.Base(path))
	if err := os.WriteFile(out, data, 0o600); err != nil {
		return "", err
	}
	if ign, err := os.ReadFile(path + ".dockerignore"); err == nil {
		if err := os.WriteFile(out+".dockerignore", ign, 0o600); err != nil {
			return "", err
		}
	}
	return out, nil
}

// op runs one builder command under the timeout.
func (fr *fileRun) op(ctx context.Context, fn func(context.Context) error) error {
	if fr.opts.Timeout <= 0 {
		return fn(ctx)
	}
	octx, cancel := context.WithTimeout(ctx, fr.opts.Timeout)
	defer cancel()
	err := fn(octx)
	if err != nil && ctx.Err() == nil && errors.Is(octx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("stopped after --timeout %s", fr.opts.Timeout)
	}
	return err
}

// smokeRun runs the smoke command in the image b.
func (fr *fileRun) smokeRun(ctx context.Context, b *built) (*SmokeRun, error) {
	tag := b.tag
	var res *builder.RunResult
	// A container name: [a-zA-Z0-9][a-zA-Z0-9_.-]*.
	name := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '.' || r == '-' {
			return r
		}
		return '-'
	}, strings.TrimPrefix(tag, "localhost/")) + "-smoke"
	err := fr.op(ctx, func(ctx context.Context) error {
		var err error
		res, err = fr.opts.Builder.Run(ctx, builder.RunRequest{Image: tag, Name: name, Args: fr.f.Build.Smoke.Args, Platform: fr.f.Build.Platform, Config: &b.side.Image.Config.Config})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &SmokeRun{ExitCode: res.ExitCode, Output: string(res.Output), Truncated: res.Truncated}, nil
}

func (fr *fileRun) note(s string) {
	if !slices.Contains(fr.res.Notes, s) {
		fr.res.Notes = append(fr.res.Notes, s)
	}
}

// logWriter returns where the builder's output goes: Options.Log with
// each line prefixed by the file's path, or nowhere.
func (fr *fileRun) logWriter() io.Writer {
	if fr.opts.Log == nil {
		return nil
	}
	return &prefixWriter{r: fr.runner, prefix: fr.name + ": "}
}

// prefixWriter writes whole lines to the run's log, each with a prefix.
type prefixWriter struct {
	r      *runner
	prefix string
	buf    bytes.Buffer
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.buf.Write(p)
	for {
		i := bytes.IndexByte(w.buf.Bytes(), '\n')
		if i < 0 {
			break
		}
		line := w.buf.Next(i + 1)
		w.r.mu.Lock()
		io.WriteString(w.r.opts.Log, w.prefix)
		w.r.opts.Log.Write(line)
		w.r.mu.Unlock()
	}
	return len(p), nil
}

// inspectBase inspects a base image, once per run.
func (fr *fileRun) inspectBase(ctx context.Context, ref string) (*builder.Image, error) {
	fr.mu.Lock()
	img, ok := fr.bases[ref]
	fr.mu.Unlock()
	if ok {
		return img, nil
	}
	img, err := fr.opts.Builder.Inspect(ctx, ref)
	if err != nil {
		return nil, err
	}
	fr.mu.Lock()
	fr.bases[ref] = img
	fr.mu.Unlock()
	return img, nil
}
