package config

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
)

// Finder finds the configuration file that applies to a Dockerfile,
// reading each file once. It is safe for concurrent use.
type Finder struct {
	wd       string // working directory; paths under it are shown relative
	mu       sync.Mutex
	dirs     map[string]found // by absolute directory
	files    map[string]found // by configuration file path
	warnings []Warning
}

// Warning is something about a configuration file that stopped nothing
// but is worth telling: a dangling symbolic link named .dockmend.yaml.
type Warning struct {
	// Path is the file, as configuration paths are shown.
	Path    string
	Message string
}

// String returns "path: message".
func (w Warning) String() string { return w.Path + ": " + w.Message }

// Warnings returns the warnings of the searches so far, each once, and
// forgets them.
func (f *Finder) Warnings() []Warning {
	f.mu.Lock()
	defer f.mu.Unlock()
	w := f.warnings
	f.warnings = nil
	return w
}

type found struct {
	c   *Config
	err error
}

// NewFinder returns a Finder with an empty cache. The configurations it
// finds under the working directory have paths relative to it.
func NewFinder() *Finder {
	wd, _ := os.Getwd()
	return &Finder{wd: wd, dirs: map[string]found{}, files: map[string]found{}}
}

// For returns the configuration that applies to the file at path: the
// nearest FileName in the file's directory or its ancestors, stopping after
// a directory that contains .git, or at the file system root. It returns
// nil and no error when there is none. The file need not exist, so For
// also serves a name given for standard input. A FileName that is a
// dangling symbolic link counts as none, and adds a Warning.
func (f *Finder) For(path string) (*Config, error) {
	abs := filepath.Clean(path)
	if !filepath.IsAbs(abs) {
		// The working directory read once, not once per file.
		wd := f.wd
		if wd == "" {
			var err error
			if wd, err = os.Getwd(); err != nil {
				return nil, err
			}
		}
		abs = filepath.Join(wd, path)
	}
	return f.inDir(filepath.Dir(abs))
}

func (f *Finder) inDir(dir string) (*Config, error) {
	f.mu.Lock()
	r, ok := f.dirs[dir]
	f.mu.Unlock()
	if ok {
		return r.c, r.err
	}
	cand := filepath.Join(dir, FileName)
	_, err := os.Stat(cand)
	if errors.Is(err, fs.ErrNotExist) {
		// A dangling symbolic link counts as no file, but is told.
		if target, lerr := os.Readlink(cand); lerr == nil {
			f.warn(Warning{Path: f.display(cand), Message: fmt.Sprintf("a symbolic link to %s, which does not exist; ignored", target)})
		}
	}
	switch {
	case err == nil:
		r.c, r.err = f.Load(f.display(cand))
	case !errors.Is(err, fs.ErrNotExist):
		r.err = err
	case isRepoRoot(dir) || filepath.Dir(dir) == dir:
		// No configuration.
	default:
		r.c, r.err = f.inDir(filepath.Dir(dir))
	}
	f.mu.Lock()
	f.dirs[dir] = r
	f.mu.Unlock()
	return r.c, r.err
}

func (f *Finder) warn(w Warning) {
	f.mu.Lock()
	f.warnings = append(f.warnings, w)
	f.mu.Unlock()
}

// Load reads the configuration file at path, or returns the copy read
// before.
func (f *Finder) Load(path string) (*Config, error) {
	f.mu.Lock()
	r, ok := f.files[path]
	f.mu.Unlock()
	if ok {
		return r.c, r.err
	}
	r.c, r.err = Load(path)
	f.mu.Lock()
	f.files[path] = r
	f.mu.Unlock()
	return r.c, r.err
}

// display returns an absolute path relative to the working directory when
// it is inside it.
func (f *Finder) display(path string) string {
	if f.wd == "" {
		return path
	}
	rel, err := filepath.Rel(f.wd, path)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return path
	}
	return rel
}

// isRepoRoot reports whether dir holds .git (a directory, or the file a
// worktree or submodule has).
func isRepoRoot(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, ".git"))
	return err == nil
}
