package base

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform/pin"
)

// File is a Dockerfile to inspect.
type File struct {
	// Path names it in the report.
	Path string
	// Data is its content.
	Data []byte
	// Settings, when not nil, are the file's own (its .dockmend.yaml):
	// they replace Options' Registry, Platform and BuildArgs for it.
	Settings *Settings
}

// Settings are what a file's configuration decides about its bases.
type Settings struct {
	// Registry answers the lookups of the file's bases.
	Registry Registry
	// Platform is the default platform; "" means Options.Platform.
	Platform string
	// BuildArgs give ARG values for references built from ARGs.
	BuildArgs map[string]string
}

// Inspect judges the bases of files. Every distinct reference and
// platform is inspected once, at most opts.Concurrency at a time. A file
// that does not parse, or a base that cannot be inspected, is an Error in
// the report; Inspect itself fails only when ctx ends.
func Inspect(ctx context.Context, files []File, opts Options) (*Report, error) {
	opts.defaults()
	if opts.Registry == nil {
		return nil, errors.New("base: no registry")
	}
	rep := &Report{Version: ReportVersion, Generated: opts.Now().UTC(), Platform: opts.Platform,
		Files: []string{}, Bases: []*Base{}, Findings: []Finding{}, Skipped: []Skipped{}, Errors: []Error{},
		Distros: opts.Distros.Source}
	byKey := map[string]*Base{}
	// Every registry (a file's own, or Options') inspects its bases with
	// an inspector of its own, in order of first use.
	inspectors := map[Registry]*inspector{}
	var registries []Registry
	for _, f := range files {
		rep.Files = append(rep.Files, f.Path)
		sf, err := source.Parse(f.Path, f.Data)
		if err != nil {
			rep.Errors = append(rep.Errors, Error{Path: f.Path, Message: err.Error()})
			continue
		}
		reg, pinOpts := opts.Registry, pin.Options{Platform: opts.Platform, BuildArgs: opts.BuildArgs}
		if st := f.Settings; st != nil {
			reg, pinOpts.BuildArgs = st.Registry, st.BuildArgs
			if st.Platform != "" {
				pinOpts.Platform = st.Platform
			}
		}
		in, ok := inspectors[reg]
		if !ok {
			o := opts
			o.Registry = reg
			in = &inspector{opts: &o, now: rep.Generated}
			inspectors[reg] = in
			registries = append(registries, reg)
		}
		for _, r := range pin.References(sf, pinOpts) {
			if r.Place == "# syntax" {
				continue // the builder's frontend, not a base
			}
			use := makeUse(f, r)
			if r.Skip != "" {
				rep.Skipped = append(rep.Skipped, Skipped{Use: use, Reason: r.Skip})
				continue
			}
			platform, err := resolve.ParsePlatform(r.Platform)
			if err != nil {
				rep.Skipped = append(rep.Skipped, Skipped{Use: use, Reason: err.Error()})
				continue
			}
			name := r.Ref.Canonical()
			if r.Ref.Digest != "" {
				name += "@" + r.Ref.Digest
			}
			key := fmt.Sprintf("%s|%s|%d", name, platform, slices.Index(registries, reg))
			b := byKey[key]
			if b == nil {
				b = &Base{Reference: r.Ref.Text, Name: name, Platform: platform, in: in}
				byKey[key] = b
				rep.Bases = append(rep.Bases, b)
			}
			b.Uses = append(b.Uses, use)
		}
	}
	if opts.Vulns {
		rep.VulnDB = vulnDBInfo(&opts)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(opts.Concurrency)
	for _, b := range rep.Bases {
		g.Go(func() error {
			b.in.inspect(gctx, b)
			return gctx.Err()
		})
	}
	if err := g.Wait(); err != nil {
		return rep, err
	}
	if err := ctx.Err(); err != nil {
		return rep, err
	}
	for _, b := range rep.Bases {
		if b.Error != "" {
			rep.Errors = append(rep.Errors, Error{Path: b.Uses[0].Path, Message: fmt.Sprintf("%s:%d:%d: %s: %s", b.Uses[0].Path, b.Uses[0].Line, b.Uses[0].Column, b.Reference, b.Error)})
		}
		for _, u := range b.Uses {
			for _, fd := range judge(b, &opts) {
				fd.Use = u
				rep.Findings = append(rep.Findings, fd)
			}
		}
	}
	slices.SortStableFunc(rep.Findings, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	for _, reg := range registries {
		rep.Requests = rep.Requests.Add(reg.Stats())
	}
	if len(registries) == 0 {
		rep.Requests = opts.Registry.Stats()
	}
	return rep, nil
}

// makeUse locates a reference in its file.
func makeUse(f File, r pin.Reference) Use {
	l, c := position(f.Data, r.Start)
	el, ec := position(f.Data, r.End)
	return Use{Path: f.Path, Line: l, Column: c, EndLine: el, EndColumn: ec, Place: r.Place, Written: r.Ref.Text}
}

// position returns the 1-based line and byte column of an offset.
func position(data []byte, off int) (int, int) {
	off = min(max(off, 0), len(data))
	start := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:start], []byte{'\n'}) + 1, off - start + 1
}

// vulnDBInfo describes the database of a --vulns run, with a message
// saying how to get one when it is missing or stale.
func vulnDBInfo(o *Options) *VulnDBInfo {
	get := "run `dockmend base --update-db` to download OSV's Debian, Ubuntu and Alpine data into the user cache, or give --vuln-db DIR holding OSV all.zip files (DIR/Debian/all.zip, DIR/Ubuntu/all.zip, DIR/Alpine/all.zip)"
	if o.VulnDB == nil {
		msg := "no vulnerability database"
		if o.VulnDBError != nil {
			msg = o.VulnDBError.Error()
		}
		return &VulnDBInfo{Message: msg + ": " + get}
	}
	db := o.VulnDB
	info := &VulnDBInfo{Dir: db.Dir, Files: db.Files, Updated: db.Updated.UTC()}
	if age := o.Now().Sub(db.Updated); age > o.VulnDBMaxAge {
		info.Stale = true
		info.Message = fmt.Sprintf("the vulnerability database in %s was downloaded %d days ago, more than %d days: %s", db.Dir, int(age.Hours()/24), int(o.VulnDBMaxAge.Hours()/24), strings.Replace(get, "run", "run again", 1))
	}
	return info
}

// human formats a byte count: "48.2 MB".
func human(n int64) string {
	switch {
	case n >= 1e9:
		return fmt.Sprintf("%.2f GB", float64(n)/1e9)
	case n >= 1e6:
		return fmt.Sprintf("%.1f MB", float64(n)/1e6)
	case n >= 1e3:
		return fmt.Sprintf("%.1f kB", float64(n)/1e3)
	}
	return fmt.Sprintf("%d B", n)
}

// shortDigest abbreviates a digest: "sha256:" and 12 hex digits.
func shortDigest(d string) string {
	if len(d) > len("sha256:")+12 {
		return d[:len("sha256:")+12]
	}
	return d
}

// width is the display width of s in a text table.
func width(s string) int { return utf8.RuneCountInString(s) }
