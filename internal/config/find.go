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
// nearest FileName (or AltFileName) in the file's directory or its
// ancestors, stopping after a directory that contains .git, or at the file
// system root; when there is none, the nearest of HadolintFileNames,
// searched the same way. It returns nil and no error when there is none.
// The file need not exist, so For also serves a name given for standard
// input. A configuration file that is a dangling symbolic link counts as
// none, and adds a Warning; a directory with both FileName and
// AltFileName is an error.
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
	dir := filepath.Dir(abs)
	c, err := f.inDir(dir, false)
	if c == nil && err == nil {
		c, err = f.inDir(dir, true)
	}
	return c, err
}

// inDir returns the configuration of dir: dockmend's, or hadolint's.
func (f *Finder) inDir(dir string, hadolint bool) (*Config, error) {
	key := dir
	names := []string{FileName, AltFileName}
	if hadolint {
		key, names = "hadolint:"+dir, HadolintFileNames
	}
	f.mu.Lock()
	r, ok := f.dirs[key]
	f.mu.Unlock()
	if ok {
		return r.c, r.err
	}
	var present []string
	for _, name := range names {
		cand := filepath.Join(dir, name)
		_, err := os.Stat(cand)
		switch {
		case err == nil:
			present = append(present, cand)
		case errors.Is(err, fs.ErrNotExist):
			// A dangling symbolic link counts as no file, but is told.
			if target, lerr := os.Readlink(cand); lerr == nil {
				f.warn(Warning{Path: f.display(cand), Message: fmt.Sprintf("a symbolic link to %s, which does not exist; ignored", target)})
			}
		case r.err == nil:
			r.err = err
		}
	}
	switch {
	case r.err != nil:
	case len(present) > 1 && !hadolint:
		r.err = fmt.Errorf("%s and %s: two configuration files in one directory; keep one", f.display(present[0]), filepath.Base(present[1]))
	case len(present) > 0 && hadolint:
		// hadolint reads the first it finds.
		r.c, r.err = f.load(f.display(present[0]), LoadHadolint)
	case len(present) > 0:
		r.c, r.err = f.Load(f.display(present[0]))
	case isRepoRoot(dir) || filepath.Dir(dir) == dir:
		// No configuration.
	default:
		r.c, r.err = f.inDir(filepath.Dir(dir), hadolint)
	}
	f.mu.Lock()
	f.dirs[key] = r
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
func (f *Finder) Load(path string) (*Config, error) { return f.load(path, Load) }

// load reads a configuration file with read, once.
func (f *Finder) load(path string, read func(string) (*Config, error)) (*Config, error) {
	f.mu.Lock()
	r, ok := f.files[path]
	f.mu.Unlock()
	if ok {
		return r.c, r.err
	}
	r.c, r.err = read(path)
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
