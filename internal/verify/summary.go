package verify

import (
	"context"
	"fmt"
	"io"
	"maps"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/plural"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/engine"
)

// Formats are the report formats of Report.
var Formats = []string{"text", "json", "markdown"}

// Summary counts the outcomes of a run.
type Summary struct {
	Verified, Dropped, Unchanged, Errors int
	// Failed counts the files with findings about work a rule could not
	// do (Result.Failed).
	Failed int
	// Builds counts the images built; Elapsed is the run's wall time.
	Builds  int
	Elapsed time.Duration
	// Results are the files' results, in order.
	Results []*Result
}

// ExitCode is 0 when every file verified (or had nothing to verify), 1
// when the fixes of a rule were dropped, 2 when a file could not be
// verified or a rule could not do its work (a failed lookup).
func (s *Summary) ExitCode() int {
	switch {
	case s.Errors > 0 || s.Failed > 0:
		return 2
	case s.Dropped > 0:
		return 1
	}
	return 0
}

// String sums the run up in one line.
func (s *Summary) String() string {
	parts := []string{plural.Of(s.Verified, "file") + " verified"}
	if s.Dropped > 0 {
		parts = append(parts, fmt.Sprintf("fixes dropped in %s", plural.Of(s.Dropped, "file")))
	}
	if s.Unchanged > 0 {
		parts = append(parts, fmt.Sprintf("%d without unsafe fixes", s.Unchanged))
	}
	if s.Errors > 0 {
		parts = append(parts, plural.Of(s.Errors, "error"))
	}
	if s.Failed > 0 {
		parts = append(parts, fmt.Sprintf("rules could not do their work in %s", plural.Of(s.Failed, "file")))
	}
	return fmt.Sprintf("%s; %s in %s", strings.Join(parts, ", "), plural.Of(s.Builds, "build"), s.Elapsed.Round(time.Second))
}

// Report runs Run and writes the results to out in format: "text" as
// each file is done, "json" or "markdown" once all are.
func Report(ctx context.Context, files []*File, opts Options, format string, out io.Writer) (*Summary, error) {
	s := &Summary{}
	start := time.Now()
	emit := opts.Emit
	opts.Emit = func(r *Result) error {
		s.Results = append(s.Results, r)
		s.Builds += r.Builds
		if len(r.Failed) > 0 {
			s.Failed++
		}
		switch r.Status {
		case Verified:
			s.Verified++
		case Dropped:
			s.Dropped++
		case Unchanged:
			s.Unchanged++
		default:
			s.Errors++
		}
		if format == "text" {
			if err := WriteText(out, r); err != nil {
				return err
			}
		}
		if emit != nil {
			return emit(r)
		}
		return nil
	}
	err := Run(ctx, files, opts)
	s.Elapsed = time.Since(start)
	if err != nil {
		return s, err
	}
	switch format {
	case "json":
		err = WriteJSON(out, opts.Builder.Name(), s.Results)
	case "markdown":
		err = WriteMarkdown(out, opts.Builder.Name(), s.Results)
	}
	return s, err
}

// BuildFor returns how to build the Dockerfile at path: the settings
// given on the command line (flags; a nil Smoke or empty field is not
// given) over the configuration file's verify entry for the file, over
// its build-args. c may be nil.
func BuildFor(c *config.Config, path string, flags Build) Build {
	b := Build{BuildArgs: map[string]string{}}
	if c != nil {
		maps.Copy(b.BuildArgs, c.BuildArgs)
		b.Platform = c.Platform
		if v := c.VerifyFor(path); v != nil {
			b.Context, b.Target = v.Context, v.Target
			maps.Copy(b.BuildArgs, v.BuildArgs)
			if args, ok := v.SmokeArgs(); ok {
				b.Smoke = &Smoke{Args: args}
			}
		}
	}
	maps.Copy(b.BuildArgs, flags.BuildArgs)
	if flags.Context != "" {
		b.Context = flags.Context
	}
	if flags.Target != "" {
		b.Target = flags.Target
	}
	if flags.Platform != "" {
		b.Platform = flags.Platform
	}
	if flags.Smoke != nil {
		b.Smoke = flags.Smoke
	}
	if b.Smoke != nil && len(b.Smoke.Args) == 0 {
		b.Smoke = &Smoke{} // the image's own command
	}
	return b
}

// NewFile returns the file at path to verify with the given rules, built
// as BuildFor says: the configuration file configFile when not "", else
// the nearest .dockmend.yaml found by finder.
func NewFile(path string, rules engine.Options, finder *config.Finder, configFile string, flags Build) *File {
	var c *config.Config
	if configFile != "" {
		c, _ = config.Load(configFile) // its errors were reported when the rules were chosen
	} else {
		c, _ = finder.For(path)
	}
	return &File{Path: path, Engine: rules, Build: BuildFor(c, path, flags)}
}
