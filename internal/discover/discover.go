// Package discover finds the Dockerfiles named by command-line arguments.
package discover

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/dockmend/dockmend/internal/regfile"
)

// Files returns the Dockerfiles under roots and the errors met; see Find.
func Files(ctx context.Context, roots []string) ([]string, []error) {
	r := Find(ctx, roots)
	return r.Files, r.Errs
}

// Result is what Find found.
type Result struct {
	// Files are the Dockerfiles, in order.
	Files []string
	// Errs are the problems that kept a root or a file out, each naming
	// its path.
	Errs []error
	// Skipped are the entries of walked directories that have a
	// Dockerfile's name but are not regular files (FIFOs, sockets,
	// devices, or symbolic links to them), left out.
	Skipped []Skipped
}

// Skipped is an entry a walk left out.
type Skipped struct {
	// Path is the entry.
	Path string
	// Kind says what it is: "a FIFO", "a symbolic link to a character
	// device".
	Kind string
}

func (s Skipped) String() string {
	return fmt.Sprintf("%s: skipped: not a regular file (%s)", s.Path, s.Kind)
}

// Find returns the Dockerfiles under roots, in a deterministic order:
// roots in the order given, and each directory walked in lexical order.
//
// A root naming a regular file (or a symbolic link to one) is taken
// whatever its name. A root naming a directory (or a link to one) is
// walked recursively for files whose names satisfy IsDockerfileName;
// links to regular files found in the walk are taken, links to
// directories are not followed, and directories named .git, .hg, .svn,
// .bzr, node_modules or vendor are skipped. A path reached twice is
// returned once. Paths are cleaned (filepath.Clean). Nothing is opened
// but directories: a FIFO is never waited on.
//
// Errors do not stop the search: a root that does not exist or is not a
// regular file or directory (a FIFO, a device), a directory that cannot be
// read, or a dangling link with a Dockerfile name each add an error naming
// the path, and the other paths are still searched. A FIFO, socket or
// device with a Dockerfile name found in a walk (or a link to one) is
// recorded in Skipped. When ctx is done, Find stops and adds ctx.Err().
func Find(ctx context.Context, roots []string) Result {
	f := finder{ctx: ctx, seen: make(map[string]bool)}
	for _, root := range roots {
		if f.stopped() {
			break
		}
		root = filepath.Clean(root)
		fi, err := os.Stat(root)
		switch {
		case err != nil:
			f.errs = append(f.errs, err) // *PathError names root
		case fi.IsDir():
			f.walk(root)
		case fi.Mode().IsRegular():
			f.add(root)
		default:
			kind := regfile.Kind(fi.Mode())
			if li, err := os.Lstat(root); err == nil && li.Mode()&fs.ModeSymlink != 0 {
				kind = "a symbolic link to " + kind
			}
			f.errs = append(f.errs, fmt.Errorf("%s: not a regular file or directory (%s)", root, kind))
		}
	}
	return Result{Files: f.files, Errs: f.errs, Skipped: f.skipped}
}

// finder collects the results of one call to Find.
type finder struct {
	ctx     context.Context
	seen    map[string]bool
	files   []string
	errs    []error
	skipped []Skipped
	done    bool // ctx is done and its error recorded
}

// stopped reports whether the context is done, recording its error once.
func (f *finder) stopped() bool {
	if !f.done {
		if err := f.ctx.Err(); err != nil {
			f.done = true
			f.errs = append(f.errs, err)
		}
	}
	return f.done
}

func (f *finder) add(path string) {
	if !f.seen[path] {
		f.seen[path] = true
		f.files = append(f.files, path)
	}
}

// walk searches the directory dir, which is known to exist.
func (f *finder) walk(dir string) {
	entries, err := os.ReadDir(dir) // sorted by name
	if err != nil {
		f.errs = append(f.errs, err) // *PathError names dir
	}
	for _, e := range entries {
		if f.stopped() {
			return
		}
		path := filepath.Join(dir, e.Name())
		switch typ := e.Type(); {
		case typ.IsDir():
			if !skipDir(e.Name()) {
				f.walk(path)
			}
		case typ.IsRegular():
			if IsDockerfileName(e.Name()) {
				f.add(path)
			}
		case typ&fs.ModeSymlink != 0:
			if !IsDockerfileName(e.Name()) {
				continue
			}
			fi, err := os.Stat(path)
			switch {
			case err != nil:
				f.errs = append(f.errs, err)
			case fi.Mode().IsRegular():
				f.add(path)
			case !fi.IsDir(): // links to directories are not followed
				f.skipped = append(f.skipped, Skipped{Path: path, Kind: "a symbolic link to " + regfile.Kind(fi.Mode())})
			}
		default: // FIFOs, sockets, devices
			if IsDockerfileName(e.Name()) {
				f.skipped = append(f.skipped, Skipped{Path: path, Kind: regfile.Kind(typ)})
			}
		}
	}
}

// skipDir reports whether a directory found in a walk is left out:
// version-control metadata and vendored third-party trees.
func skipDir(name string) bool {
	switch name {
	case ".git", ".hg", ".svn", ".bzr", "node_modules", "vendor":
		return true
	}
	return false
}

// IsDockerfileName reports whether a file name (not a path) looks like a
// Dockerfile. Case is ignored. The names taken are Dockerfile and
// Containerfile; Dockerfile.*, Dockerfile-*, Dockerfile_* and the same
// with Containerfile; and *.Dockerfile and *.Containerfile. Names that end
// in an extension that is clearly something else are refused even then:
// documentation, code, configuration and the leftovers of editors and
// patch tools (.md, .go, .sh, .json, .yml, .yaml, .txt, .dockerignore,
// .orig, .rej, .bak, .swp, .swo, .diff, .patch, and a trailing ~).
func IsDockerfileName(name string) bool {
	n := strings.ToLower(name)
	if n == "dockerfile" || n == "containerfile" {
		return true
	}
	if otherExt(n) {
		return false
	}
	for _, base := range []string{"dockerfile", "containerfile"} {
		if rest, ok := strings.CutPrefix(n, base); ok && len(rest) > 1 && strings.ContainsRune(".-_", rune(rest[0])) {
			return true
		}
		if stem, ok := strings.CutSuffix(n, "."+base); ok && stem != "" {
			return true
		}
	}
	return false
}

// otherExt reports whether the lower-cased name ends in an extension
// that marks a file as something other than a Dockerfile.
func otherExt(n string) bool {
	if strings.HasSuffix(n, "~") {
		return true
	}
	switch filepath.Ext(n) {
	case ".md", ".go", ".sh", ".json", ".yml", ".yaml", ".txt", ".dockerignore",
		".orig", ".rej", ".bak", ".swp", ".swo", ".diff", ".patch":
		return true
	}
	return false
}
