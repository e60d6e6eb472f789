package session

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/discover"
	"github.com/dockmend/dockmend/internal/driver"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/source"
)

// Plan is the work of one check, diff or fix: the files with their
// settings, and the problems found while collecting them.
type Plan struct {
	// Files are the files to process, each with its engine options.
	Files []*driver.File
	// Errs are discovery and configuration errors, one per problem.
	Errs []error
	// Warnings are about configuration files, and stopped nothing.
	Warnings []config.Warning
	// Skipped are the FIFOs, devices and the like with Dockerfile names
	// that discovery left out; they are reported as warnings.
	Skipped []discover.Skipped
	// Stdin reports that the only file is standard input.
	Stdin bool
	// stdinData is what was read of standard input; stdinRest, when not
	// nil, is the rest of it, left unread because the input is over
	// source.MaxFileSize (and not processed).
	stdinData []byte
	stdinRest io.Reader
	// configs are the files' settings: the flags merged over each one's
	// configuration file.
	configs map[*driver.File]*config.Config
}

// Input names the files of a Plan.
type Input struct {
	// Paths are files and directories to search for Dockerfiles; none
	// means the current directory, and "-" standard input.
	Paths []string
	// Stdin is standard input, read when Paths is "-".
	Stdin io.Reader
	// StdinFilename, with the path "-", names standard input in messages
	// and for finding its .dockmend.yaml.
	StdinFilename string
}

// Check reports a wrong combination of paths (a UsageError).
func (in Input) Check() error {
	stdin := slices.Contains(in.Paths, "-")
	switch {
	case stdin && len(in.Paths) > 1:
		return UsageError{errors.New("standard input (-) cannot be combined with other paths")}
	case in.StdinFilename != "" && !stdin:
		return UsageError{errors.New("--stdin-filename needs the path - (standard input)")}
	}
	return nil
}

// Plan finds the files named by in and the settings of each. Errors in
// the arguments are returned (a UsageError); a file that cannot be found
// or configured is left out and its error added to the plan.
func (s *Session) Plan(ctx context.Context, in Input) (*Plan, error) {
	if err := in.Check(); err != nil {
		return nil, err
	}
	args := in.Paths
	stdin := slices.Contains(args, "-")
	set := s.set
	p := &Plan{Stdin: stdin}
	if stdin {
		// Reading one byte over the limit is enough to know it is too
		// large.
		data, err := io.ReadAll(io.LimitReader(in.Stdin, source.MaxFileSize+1))
		if err != nil {
			return nil, fmt.Errorf("reading standard input: %w", err)
		}
		name := in.StdinFilename
		if name == "" {
			name = "-"
		}
		p.stdinData = data
		if len(data) > source.MaxFileSize {
			p.stdinRest = in.Stdin
			p.Errs = append(p.Errs, driver.TooLargeError(name, -1))
			return p, nil
		}
		st, err := set.forFile(name)
		if err != nil {
			return nil, err
		}
		p.add(&driver.File{Path: name, Name: name, Data: data}, st)
		p.Warnings = set.finder.Warnings()
		return p, nil
	}
	if len(args) == 0 {
		args = []string{"."}
	}
	if err := set.discover(ctx, p, args); err != nil {
		return nil, err
	}
	p.Warnings = set.finder.Warnings()
	return p, nil
}

// EchoStdin copies standard input, as read, to w: what fix - prints when
// it cannot fix the input.
func (p *Plan) EchoStdin(w io.Writer) error {
	if _, err := w.Write(p.stdinData); err != nil {
		return err
	}
	if p.stdinRest != nil {
		if _, err := io.Copy(w, p.stdinRest); err != nil {
			return fmt.Errorf("copying standard input: %w", err)
		}
	}
	return nil
}

// DefaultFailureThreshold is the failure threshold of check when neither
// a flag nor a configuration file sets one: any finding fails.
const DefaultFailureThreshold = severity.Style

// FailureThreshold returns the failure threshold of a file of the plan:
// the flag's, else its configuration file's, else
// DefaultFailureThreshold.
func (p *Plan) FailureThreshold(f *driver.File) severity.Level {
	if c := p.configs[f]; c != nil {
		return c.Threshold(DefaultFailureThreshold)
	}
	return DefaultFailureThreshold
}

// add adds a file with its settings to the plan.
func (p *Plan) add(f *driver.File, st setting) {
	f.Options = st.opts
	p.Files = append(p.Files, f)
	if p.configs == nil {
		p.configs = map[*driver.File]*config.Config{}
	}
	p.configs[f] = st.cfg
}

// realPath returns path with its symbolic links resolved, or path itself
// when that fails. dirs keeps the resolved directories: a directory of
// many Dockerfiles is resolved once, and each file costs one Lstat.
func realPath(path string, dirs map[string]string) string {
	if fi, err := os.Lstat(path); err == nil && fi.Mode()&os.ModeSymlink == 0 {
		dir, base := filepath.Split(path)
		if dir == "" {
			dir = "."
		}
		realDir, ok := dirs[dir]
		if !ok {
			var err error
			if realDir, err = filepath.EvalSymlinks(dir); err != nil {
				realDir = ""
			}
			dirs[dir] = realDir
		}
		if realDir != "" {
			return filepath.Join(realDir, base)
		}
	}
	real, err := filepath.EvalSymlinks(path)
	if err != nil {
		return path
	}
	return real
}

// discover adds the Dockerfiles found under roots (files or directories)
// to the plan, each with its settings. Problems with single files or
// configuration files go to p.Errs; only ctx's error is returned.
func (s *settings) discover(ctx context.Context, p *Plan, roots []string) error {
	seen := map[string]bool{}
	reported := map[string]bool{}
	realDirs := map[string]string{}
	for _, root := range roots {
		found := discover.Find(ctx, []string{root})
		if err := ctx.Err(); err != nil {
			return err
		}
		for _, err := range found.Errs {
			p.Errs = append(p.Errs, PathError(err))
		}
		p.Skipped = append(p.Skipped, found.Skipped...)
		for _, path := range found.Files {
			// A file reached twice, by its name and through a symbolic
			// link, is processed once: writing it twice would fail.
			real := realPath(path, realDirs)
			if seen[real] {
				continue
			}
			seen[real] = true
			explicit := path == filepath.Clean(root)
			st, err := s.forFile(path)
			if err != nil {
				if !reported[err.Error()] {
					reported[err.Error()] = true
					p.Errs = append(p.Errs, settingsError{err})
				}
				continue
			}
			if !explicit && s.excluded(path) {
				continue
			}
			p.add(&driver.File{Path: path}, st)
		}
	}
	return nil
}

// PathError turns "lstat x: no such file or directory" into
// "x: no such file or directory".
func PathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return fmt.Errorf("%s: %w", pe.Path, pe.Err)
	}
	return err
}
