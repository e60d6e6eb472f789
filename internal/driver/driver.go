// Package driver runs the fix engine over many files: it reads them, lets
// a preparation step see all of them (the pin rule resolves every image
// reference at once there), runs the engine on each in parallel, writes the
// changed ones through an injected function, and hands the outcomes to the
// caller one at a time, in the order the files were given, as gofmt's
// sequencer does.
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

	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/source"
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

// Loaded is a file whose content has been read, as Prepare sees it.
type Loaded struct {
	File *File
	Data []byte
}

// WriteFunc writes data to path, replacing the content that was read with
// the given stat. atomicfile.Write is one.
type WriteFunc func(path string, data []byte, orig atomicfile.Stat) error

// Options configure Run.
type Options struct {
	// Jobs bounds the files processed at once; 0 means GOMAXPROCS.
	Jobs int
	// Prepare, if set, is called once with every file that was read, in
	// order, before the engine runs on any of them. An error stops Run.
	Prepare func(ctx context.Context, files []Loaded) error
	// Write, if set, is called for each file (not given by Data) whose
	// content the engine changed. When nil, nothing is written.
	Write WriteFunc
	// Emit is called with each file's outcome, one at a time, in the order
	// of the files given to Run. An error from Emit stops Run.
	Emit func(Outcome) error
}

// slot is the state of one file while Run works on it.
type slot struct {
	data []byte
	stat atomicfile.Stat
	out  Outcome
	done chan struct{}
}

// Run processes files and emits their outcomes in order. It returns an
// error only when Prepare or Emit fail, or ctx is done; the files' own
// errors are in their outcomes. After ctx is done nothing more is emitted.
func Run(ctx context.Context, files []*File, opts Options) error {
	jobs := opts.Jobs
	if jobs <= 0 {
		jobs = runtime.GOMAXPROCS(0)
	}
	slots := make([]*slot, len(files))
	for i, f := range files {
		slots[i] = &slot{out: Outcome{File: f}, done: make(chan struct{})}
	}

	// Read everything first, so that Prepare sees every file.
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	for _, s := range slots {
		g.Go(func() error {
			s.data, s.stat, s.out.Err = read(gctx, s.out.File)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	if opts.Prepare != nil {
		var loaded []Loaded
		for _, s := range slots {
			if s.out.Err == nil {
				loaded = append(loaded, Loaded{File: s.out.File, Data: s.data})
			}
		}
		if err := opts.Prepare(ctx, loaded); err != nil {
			return err
		}
	}

	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(jobs)
	go func() {
		for _, s := range slots {
			g.Go(func() error {
				defer close(s.done)
				process(gctx, s, opts.Write)
				return nil
			})
		}
	}()
	var emitErr error
	for _, s := range slots {
		<-s.done
		s.data = nil // let the input go once its outcome is out
		// Once ctx is done the outcomes are only its error: not emitted.
		if emitErr == nil && opts.Emit != nil && ctx.Err() == nil {
			if emitErr = opts.Emit(s.out); emitErr != nil {
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

// process runs the engine on one read file and writes the result.
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
	res, err := engine.Run(ctx, f.name(), s.data, f.Options)
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
