// Package driver runs the fix engine over many files. It reads and parses
// each once, calls the Prepare of every rule that has one with all the
// files it runs on (the pin rule resolves every image reference at once
// there), runs the engine on each file in parallel, writes the changed
// ones through an injected function, and hands the outcomes to the caller
// one at a time, in the order the files were given, as gofmt's sequencer
// does (internal/ordered).
//
// A problem with one file (unreadable, not a Dockerfile, a rule failing on
// it, a failed write) is that file's outcome; the other files are still
// processed.
package driver

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"runtime/debug"
	"slices"

	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/ordered"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// File is one file to process.
type File struct {
	// Path is the file to read and, when its content changes, write.
	Path string
	// Name names the file in messages and findings; empty means Path.
	Name string
	// Data, when not nil, is the content to process instead of reading
	// Path (standard input); such a file is never written.
	Data []byte
	// Options configure the engine for this file.
	Options engine.Options
}

func (f *File) name() string {
	if f.Name != "" {
		return f.Name
	}
	return f.Path
}

// Outcome is what happened to one file.
type Outcome struct {
	// File is the file as given to Run.
	File *File
	// Result is the engine's result; nil when Err stopped processing.
	Result *engine.Result
	// Written reports whether the file was rewritten.
	Written bool
	// Err is the file's error, naming the file.
	Err error
}

// WriteFunc writes data to path, replacing the content that was read with
// the given stat. atomicfile.Write is one.
type WriteFunc func(path string, data []byte, orig atomicfile.Stat) error

// Options configure Run.
type Options struct {
	// Jobs bounds the files processed at once; 0 means GOMAXPROCS.
	Jobs int
	// Prepared, if set, is called once the rules have prepared (see
	// transform.Transformer.Prepare), before the engine runs on any file.
	Prepared func()
	// Write, if set, is called for each file (not given by Data) whose
	// content the engine changed. When nil, nothing is written.
	Write WriteFunc
	// Emit is called with each file's outcome, one at a time, in the order
	// of the files given to Run. An error from Emit stops Run.
	Emit func(Outcome) error
}

// slot is the state of one file while Run works on it.
type slot struct {
	// file is the parsed file when a rule prepares with it; otherwise
	// data is the content, parsed when the engine's turn comes (so that
	// the parses do not all stay in memory). Both are nil once the
	// engine has the file.
	file *source.File
	data []byte
	stat atomicfile.Stat
	out  Outcome
}

// Run processes files and emits their outcomes in order. It returns an
// error only when a rule's Prepare or Emit fail, or ctx is done; the
// files' own errors are in their outcomes. After ctx is done nothing more
// is emitted.
func Run(ctx context.Context, files []*File, opts Options) error {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	slots, err := load(ctx, files, jobs)
	if err != nil {
		return err
	}
	if err := prepare(ctx, slots); err != nil {
		return err
	}
	if opts.Prepared != nil {
		opts.Prepared()
	}

	// Once ctx is done the outcomes are only its error: not emitted.
	return ordered.Run(ctx, len(slots), jobs, func(ctx context.Context, i int) {
		process(ctx, slots[i], opts.Write)
	}, func(i int) error {
		if opts.Emit == nil {
			return nil
		}
		return opts.Emit(slots[i].out)
	})
}

// Prepare does what Run does first, for a caller that runs the engine
// itself (dockmend verify): it reads and parses the files whose rules
// prepare, and calls each rule's Prepare once with them. Files that cannot
// be read or parsed are left out (the engine will say why).
func Prepare(ctx context.Context, files []*File) error {
	slots, err := load(ctx, files, runtime.GOMAXPROCS(0))
	if err != nil {
		return err
	}
	return prepare(ctx, slots)
}

// load reads every file, and parses those whose rules prepare, so that
// the rules prepare with every file; at most jobs at once.
func load(ctx context.Context, files []*File, jobs int) ([]*slot, error) {
	slots := make([]*slot, len(files))
	for i, f := range files {
		slots[i] = &slot{out: Outcome{File: f}}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, s := range slots {
		g.Go(func() error {
			s.data, s.stat, s.out.Err = read(gctx, s.out.File)
			if s.out.Err == nil && prepares(s.out.File.Options.Transformers) {
				s.file, s.out.Err = parse(s.out.File, s.data)
				s.data = nil
			}
			return nil
		})
	}
	return slots, g.Wait()
}

// prepares reports whether one of ts has a Prepare.
func prepares(ts []*transform.Transformer) bool {
	return slices.ContainsFunc(ts, func(t *transform.Transformer) bool { return t.Prepare != nil })
}

// parse parses a file's data. A panic while parsing is the file's error.
func parse(f *File, data []byte) (file *source.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			file, err = nil, fmt.Errorf("%s: internal error: %v\n%s", f.name(), r, debug.Stack())
		}
	}()
	return source.Parse(f.name(), data)
}

// prepare calls the Prepare of every rule the files run that has one,
// once, in the order the rules first appear, with the parsed files it
// runs on, in order.
func prepare(ctx context.Context, slots []*slot) error {
	var order []*transform.Transformer
	files := map[*transform.Transformer][]*source.File{}
	for _, s := range slots {
		if s.file == nil {
			continue // not read or not parsed: the engine never runs on it
		}
		for _, t := range s.out.File.Options.Transformers {
			if t.Prepare == nil {
				continue
			}
			if _, ok := files[t]; !ok {
				order = append(order, t)
			}
			files[t] = append(files[t], s.file)
		}
	}
	for _, t := range order {
		if err := prepareSafely(ctx, t, files[t]); err != nil {
			return fmt.Errorf("rule %s: %w", t.Name, err)
		}
	}
	return ctx.Err()
}

// prepareSafely runs a rule's Prepare, turning a panic into an error.
func prepareSafely(ctx context.Context, t *transform.Transformer, files []*source.File) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("internal error: %v\n%s", r, debug.Stack())
		}
	}()
	return t.Prepare(ctx, files)
}

// read returns a file's content, from Data or from disk. A file larger
// than source.MaxFileSize is refused, from disk without being read.
func read(ctx context.Context, f *File) ([]byte, atomicfile.Stat, error) {
	if err := ctx.Err(); err != nil {
		return nil, atomicfile.Stat{}, err
	}
	if f.Data != nil {
		if len(f.Data) > source.MaxFileSize {
			return nil, atomicfile.Stat{}, TooLargeError(f.name(), int64(len(f.Data)))
		}
		return f.Data, atomicfile.Stat{}, nil
	}
	data, stat, err := atomicfile.ReadMax(f.Path, source.MaxFileSize)
	var pe *fs.PathError
	switch {
	case err == nil:
		return data, stat, nil
	case errors.Is(err, atomicfile.ErrTooLarge):
		fi, _ := os.Stat(f.Path)
		size := int64(-1)
		if fi != nil {
			size = fi.Size()
		}
		return nil, stat, TooLargeError(f.name(), size)
	case errors.As(err, &pe):
		return nil, stat, fmt.Errorf("%s: %w", f.name(), pe.Err) // named once
	case isDir(f.Path):
		return nil, stat, fmt.Errorf("%s: is a directory", f.name())
	}
	return nil, stat, err // atomicfile's other errors name the path
}

// TooLargeError is the error of a Dockerfile over source.MaxFileSize: it
// names the file, its size (when known, not negative) and the limit.
func TooLargeError(name string, size int64) error {
	if size < 0 {
		return fmt.Errorf("%s: larger than %d bytes (1 MiB), the limit for a Dockerfile", name, source.MaxFileSize)
	}
	return fmt.Errorf("%s: %d bytes, larger than %d bytes (1 MiB), the limit for a Dockerfile", name, size, source.MaxFileSize)
}

func isDir(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.IsDir()
}

// process runs the engine on one parsed file and writes the result.
func process(ctx context.Context, s *slot, write WriteFunc) {
	if s.out.Err != nil {
		return
	}
	defer func() {
		if r := recover(); r != nil {
			s.out.Err = fmt.Errorf("%s: internal error: %v\n%s", s.out.File.name(), r, debug.Stack())
		}
	}()
	f := s.out.File
	parsed := s.file
	if parsed == nil {
		var err error
		if parsed, err = parse(f, s.data); err != nil {
			s.out.Err = err
			return
		}
	}
	// The engine lets the parse go after the first pass.
	s.file, s.data = nil, nil
	res, err := engine.RunFile(ctx, parsed, f.Options)
	if err != nil {
		s.out.Err = err
		return
	}
	s.out.Result = res
	if write == nil || f.Data != nil || !res.Changed() {
		return
	}
	if err := write(f.Path, res.Output, s.stat); err != nil {
		s.out.Err = err
		return
	}
	s.out.Written = true
}
