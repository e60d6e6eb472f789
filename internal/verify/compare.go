package verify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/plural"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/imagediff"
)

// BuiltImage is an image that is already built, and the Dockerfile it
// was built from.
type BuiltImage struct {
	// Image is the image, as the builder names it
	// ("localhost/app:original").
	Image string
	// Dockerfile is the file it was built from: its final stage's base
	// image tells which layers are the base's.
	Dockerfile string
}

// CompareRequest asks Compare to compare two images already built.
type CompareRequest struct {
	Original, Rewritten BuiltImage
	// Build holds the target, platform and build args the images were
	// built with, which decide each Dockerfile's base image, and the
	// smoke command to run in both, if any; Context is not used.
	Build Build
}

// Comparison is the outcome of Compare: the same checks as a candidate
// of Run gets (Try), for two images built elsewhere.
type Comparison struct {
	Original  ComparedImage `json:"original"`
	Rewritten ComparedImage `json:"rewritten"`
	// Passed reports that the rewritten image holds: its configuration,
	// the files the original's steps made, their libraries and
	// interpreters, and the smoke command's outcome.
	Passed bool `json:"passed"`
	// Reasons say why it does not.
	Reasons []string `json:"reasons,omitempty"`
	// Differences are every difference found, the expected ones too.
	Differences []imagediff.Difference `json:"differences,omitempty"`
	// Compared counts the files the original's steps made that were
	// compared; Checked the executables, libraries and scripts among
	// them.
	Compared int `json:"files_compared"`
	Checked  int `json:"dependencies_checked"`
	// Seconds is the wall time of the comparison (saving and reading
	// both images, the smoke runs).
	Seconds float64  `json:"seconds"`
	Notes   []string `json:"notes,omitempty"`
}

// ComparedImage sums up one image of a Comparison.
type ComparedImage struct {
	Image      string `json:"image"`
	Dockerfile string `json:"dockerfile"`
	// Size is the uncompressed size of its layers; Compressed their size
	// gzipped, as a registry stores them.
	Size       int64     `json:"size_bytes"`
	Compressed int64     `json:"compressed_bytes"`
	Layers     int       `json:"layers"`
	Smoke      *SmokeRun `json:"smoke,omitempty"`
}

// Compare compares two images that are already built, the original and
// its rewrite, as Run compares the images it builds: nothing is built.
// The images are read through opts.Builder (saved and read, as Run reads
// the ones it builds; opts.Timeout bounds each builder command), and
// never removed. An error means the comparison could not be made (an
// image or a Dockerfile that cannot be read); a rewritten image that
// does not hold is a Comparison with Passed false.
func Compare(ctx context.Context, req CompareRequest, opts Options) (*Comparison, error) {
	if opts.Builder == nil {
		return nil, errors.New("verify: no builder")
	}
	start := time.Now()
	tmp, err := os.MkdirTemp("", "dockmend-verify-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(tmp)
	r := &runner{opts: opts, tmp: tmp, total: 1, bases: map[string]*builder.Image{}}
	defer func() {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Minute)
		defer cancel()
		if err := opts.Builder.Cleanup(cctx); err != nil {
			r.progress("removing what interrupted runs left: %v", err)
		}
	}()
	fr := &fileRun{runner: r, f: &File{Path: req.Rewritten.Dockerfile, Build: req.Build}, name: req.Rewritten.Dockerfile, res: &Result{}, dir: tmp}
	read := func(x BuiltImage, name string, hash func(string, int, int) bool) (*built, error) {
		data, _, err := atomicfile.ReadMax(x.Dockerfile, maxDockerfile)
		if err != nil {
			return nil, err
		}
		fr.progress("reading %s (%s)", x.Image, x.Dockerfile)
		b, err := fr.load(ctx, x.Image, x.Dockerfile, data, name, hash)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", x.Image, err)
		}
		return b, nil
	}
	orig, err := read(req.Original, "original", nil)
	if err != nil {
		return nil, err
	}
	fr.orig, fr.origBuilt = orig.side, orig
	if req.Build.Smoke != nil {
		run, err := fr.smokeRun(ctx, orig)
		if err != nil {
			return nil, fmt.Errorf("the smoke command in %s: %w", req.Original.Image, err)
		}
		fr.smoke, orig.image.Smoke = run, run
	}
	created := map[string]bool{}
	for _, p := range orig.side.Created() {
		created[p] = true
	}
	rewritten, err := read(req.Rewritten, "rewritten", func(p string, _, _ int) bool { return created[p] })
	if err != nil {
		return nil, err
	}
	t := &Try{}
	fr.judge(ctx, t, rewritten)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	summary := func(x BuiltImage, b *built) ComparedImage {
		return ComparedImage{Image: x.Image, Dockerfile: x.Dockerfile, Size: b.image.Size, Compressed: b.image.Compressed, Layers: b.image.Layers, Smoke: b.image.Smoke}
	}
	return &Comparison{
		Original: summary(req.Original, orig), Rewritten: summary(req.Rewritten, rewritten),
		Passed: t.Passed, Reasons: t.Reasons, Differences: t.Differences, Compared: t.Compared, Checked: t.Checked,
		Seconds: time.Since(start).Round(100 * time.Millisecond).Seconds(),
		Notes:   fr.res.Notes,
	}, nil
}

// maxDockerfile bounds a Dockerfile Compare reads.
const maxDockerfile = 16 << 20

// CompareFormats are the report formats of WriteComparison.
var CompareFormats = []string{"text", "json"}

// WriteComparison writes c in format, "text" or "json".
func WriteComparison(w io.Writer, c *Comparison, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(c)
	}
	var b strings.Builder
	o, n := c.Original, c.Rewritten
	if c.Passed {
		fmt.Fprintf(&b, "%s: holds against %s (%s compared, %s checked)\n", n.Image, o.Image,
			plural.Of(c.Compared, "file"), plural.Of(c.Checked, "program"))
	} else {
		fmt.Fprintf(&b, "%s: does not hold against %s:\n", n.Image, o.Image)
		for _, r := range c.Reasons {
			fmt.Fprintf(&b, "  %s\n", indent(r))
		}
	}
	fmt.Fprintf(&b, "  size %s -> %s MB (%s), compressed %s -> %s MB (%s), layers %d -> %d\n",
		mb(o.Size), mb(n.Size), pct(o.Size, n.Size), mb(o.Compressed), mb(n.Compressed), pct(o.Compressed, n.Compressed), o.Layers, n.Layers)
	if c.Passed && n.Smoke != nil {
		fmt.Fprintf(&b, "  smoke: exit %d and the same output in both images\n", n.Smoke.ExitCode)
	}
	writeExpected(&b, expectedOf(c.Differences), "the comparison")
	for _, note := range c.Notes {
		fmt.Fprintf(&b, "  note: %s\n", note)
	}
	_, err := io.WriteString(w, b.String())
	return err
}
