package base

import (
	"context"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"slices"

	"github.com/dockmend/dockmend/internal/discover"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/vulndb"
)

// Config is a whole "dockmend base" run: what to read, how to look it up,
// what to write.
type Config struct {
	// Paths are files and directories to search for Dockerfiles (default
	// the current directory).
	Paths []string
	// Files, when not nil, are the Dockerfiles to inspect instead, found,
	// read and configured by the caller (internal/session, with each
	// file's .dockmend.yaml); FileErrors are the problems it met.
	Files      []File
	FileErrors []error
	// Options configure the inspection; Registry and VulnDB are filled in
	// by Run when nil.
	Options Options
	// Format is the output format (see Formats).
	Format string
	// FailureThreshold: findings at this level or above make the run fail
	// (exit 1); severity.None never fails.
	FailureThreshold severity.Level
	// VulnDBDir holds OSV's all.zip files (default vulndb.DefaultDir()).
	VulnDBDir string
	// UpdateDB downloads the database into VulnDBDir first; with no Paths
	// that is all Run does.
	UpdateDB bool
	// VulnDBURL is where UpdateDB downloads from (default vulndb.DefaultURL).
	VulnDBURL string
	// Mirrors, Insecure and Concurrency configure the registry client
	// when Options.Registry is nil (see resolve.WithMirror).
	Mirrors     map[string]string
	Insecure    []string
	Concurrency int
	// WorkDir makes SARIF paths relative (default the current directory).
	WorkDir string
	// HTTPClient downloads the database (default: vulndb's).
	HTTPClient *http.Client
}

// Check reports a wrong setting, before any work.
func (cfg Config) Check() error {
	if !slices.Contains(Formats, cfg.Format) {
		return fmt.Errorf("unknown format %q", cfg.Format)
	}
	return nil
}

// Exit codes of Run, as check uses them.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitError    = 2
)

// Run does a whole "dockmend base" run: updates the vulnerability
// database if asked, finds the Dockerfiles, inspects their bases, writes
// the report to stdout and progress and problems to stderr, and returns
// the exit code: 2 when a file, a base or the database could not be
// processed, else 1 when a finding reaches the failure threshold, else 0.
func Run(ctx context.Context, cfg Config, stdout, stderr io.Writer) int {
	code := ExitOK
	if err := cfg.Check(); err != nil {
		fmt.Fprintf(stderr, "dockmend base: %v\n", err)
		return ExitError
	}
	if cfg.VulnDBDir == "" {
		dir, err := vulndb.DefaultDir()
		if err != nil && (cfg.UpdateDB || cfg.Options.Vulns) {
			fmt.Fprintf(stderr, "dockmend base: no user cache directory for the vulnerability database (%v): give --vuln-db DIR\n", err)
			return ExitError
		}
		cfg.VulnDBDir = dir
	}
	if cfg.UpdateDB {
		updated, err := vulndb.Update(ctx, cfg.VulnDBDir, vulndb.UpdateOptions{URL: cfg.VulnDBURL, Client: cfg.HTTPClient})
		for _, u := range updated {
			what := "downloaded"
			if !u.Changed {
				what = "already current"
			}
			fmt.Fprintf(stderr, "%s: %s (%s)\n", u.Path, what, human(u.Bytes))
		}
		if err != nil {
			fmt.Fprintf(stderr, "dockmend base: updating the vulnerability database: %v\n", err)
			code = ExitError
		}
		if (len(cfg.Paths) == 0 && cfg.Files == nil) || ctx.Err() != nil {
			return code
		}
		cfg.Options.Vulns = true
	}
	if cfg.Options.Vulns && cfg.Options.VulnDB == nil {
		cfg.Options.VulnDB, cfg.Options.VulnDBError = vulndb.Open(cfg.VulnDBDir)
	}
	if cfg.Options.Registry == nil {
		var opts []resolve.Option
		for _, reg := range slices.Sorted(maps.Keys(cfg.Mirrors)) {
			opts = append(opts, resolve.WithMirror(reg, cfg.Mirrors[reg]))
		}
		for _, h := range cfg.Insecure {
			opts = append(opts, resolve.WithInsecureRegistry(h))
		}
		if cfg.Concurrency > 0 {
			opts = append(opts, resolve.WithConcurrency(cfg.Concurrency))
		}
		r, err := resolve.New(opts...)
		if err != nil {
			fmt.Fprintf(stderr, "dockmend base: %v\n", err)
			return ExitError
		}
		defer r.Close()
		cfg.Options.Registry = r
	}
	files, errs := cfg.Files, cfg.FileErrors
	if files == nil {
		paths := cfg.Paths
		if len(paths) == 0 {
			paths = []string{"."}
		}
		var found []string
		found, errs = discover.Files(ctx, paths)
		for _, p := range found {
			data, err := os.ReadFile(p)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			files = append(files, File{Path: p, Data: data})
		}
	}
	rep, err := Inspect(ctx, files, cfg.Options)
	if err != nil {
		fmt.Fprintf(stderr, "dockmend base: %v\n", err)
		return ExitError
	}
	for _, e := range errs {
		var pe *os.PathError
		msg := e.Error()
		if errors.As(e, &pe) {
			msg = pe.Path + ": " + pe.Err.Error()
		}
		rep.Errors = append(rep.Errors, Error{Message: msg})
	}
	if rep.VulnDB != nil && cfg.Options.VulnDB == nil {
		rep.Errors = append(rep.Errors, Error{Message: rep.VulnDB.Message})
	}
	for _, e := range rep.Errors {
		fmt.Fprintf(stderr, "%s\n", e.Message)
	}
	wd := cfg.WorkDir
	if wd == "" {
		wd, _ = os.Getwd()
	}
	if err := Write(stdout, rep, cfg.Format, wd); err != nil {
		fmt.Fprintf(stderr, "dockmend base: %v\n", err)
		return ExitError
	}
	if len(rep.Errors) > 0 {
		return ExitError
	}
	for _, f := range rep.Findings {
		if f.Level.Fails(cfg.FailureThreshold) {
			code = max(code, ExitFindings)
		}
	}
	return code
}
