// Package cachefix is what the rules that clean a package manager's cache
// (npm, yarn, gem, composer) share: find the RUNs of image stages that
// install with the tool and leave its cache in the layer, and fix each by
// appending the tool's cleanup command to the RUN, or, in the cache-mount
// style, by giving the RUN a cache mount over the cache.
package cachefix

import (
	"path"
	"strings"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// Spec describes one tool's cache.
type Spec struct {
	// Words are what a RUN must mention to be read (shellcmd.Mentions).
	Words []string
	// Code is the hadolint code of the finding, if any.
	Code string
	// Install reports whether c installs with the tool and so fills its
	// cache, and which word ends the finding (the subcommand).
	Install func(c *shellcmd.Command) (end int, ok bool)
	// Cleans reports whether c empties the cache (or keeps it out of the
	// layer), so that an install before it needs nothing.
	Cleans func(c *shellcmd.Command) bool
	// Cleanup returns the command that empties the cache after the
	// install c, run the same way (through sudo when c is).
	Cleanup func(c *shellcmd.Command) string
	// CacheDirs are the cache directories of root; MountNames are the
	// base names of cache directories in any home (".npm"): a cache or
	// tmpfs mount over either means the cache is wanted there.
	CacheDirs, MountNames []string
	// Message is the finding's message ("npm install keeps ... in the
	// image"); Fix the fix's message.
	Message func(c *shellcmd.Command) string
	Fix     string
	// Unsafe makes the fix unsafe, with Why appended to its message.
	Unsafe bool
	Why    string
	// Mounts are the cache mounts of the cache-mount style (flag values);
	// nil when the tool has none.
	Mounts []string
}

// Options configure a run.
type Options struct {
	// CacheMounts fixes with Spec.Mounts instead of the cleanup, in RUNs
	// that run as root.
	CacheMounts bool
}

// Run reports, for each RUN of an image stage (and ONBUILD trigger) that
// installs with the tool and neither cleans its cache afterwards nor
// mounts a cache over it, one finding at the first such install, with a
// fix that appends the cleanup to the RUN.
func Run(p *transform.Pass, spec *Spec, opts Options) error {
	return p.Walk(func(in *source.Instruction) {
		if in.Is("RUN") && shellcmd.Mentions(in, spec.Words...) && shellcmd.ImageStage(in) && !mounted(in, spec) {
			check(p, spec, opts, in)
		}
	})
}

func check(p *transform.Pass, spec *Spec, opts Options, in *source.Instruction) {
	s, err := in.Script()
	if err != nil {
		return
	}
	var first *shellcmd.Command
	firstEnd := 0
	for _, c := range shellcmd.Commands(s) {
		if end, ok := spec.Install(c); ok {
			if first == nil {
				first, firstEnd = c, end
			}
			continue
		}
		if first != nil && cleans(spec, c, 0) {
			first = nil // cleaned after the installs so far
		}
	}
	if first == nil {
		return
	}
	fd := transform.Finding{
		Code:    spec.Code,
		Start:   first.Start(),
		End:     first.Args[firstEnd].End,
		Message: spec.Message(first),
	}
	if opts.CacheMounts && len(spec.Mounts) > 0 && shellcmd.RootUser(in) && !first.Sudo() {
		if e, ok := shellcmd.AddMounts(in, spec.Mounts); ok {
			fd.Fix = &transform.Fix{Message: "mount a build cache over the cache (cache-mounts style)", Edits: []transform.Edit{e}}
			if spec.Unsafe {
				fd.Fix.Applicability = transform.Unsafe
			}
			p.Report(fd)
			return
		}
	}
	e, err := shellcmd.Append(s, spec.Cleanup(first))
	if err != nil {
		fd.Message += "; not fixed: " + shapeReason(err)
		p.Report(fd)
		return
	}
	fd.Fix = &transform.Fix{Message: spec.Fix, Edits: []transform.Edit{e}}
	if spec.Unsafe {
		fd.Fix.Applicability = transform.Unsafe
		fd.Fix.Message += " (" + spec.Why + ")"
	}
	p.Report(fd)
}

// cleans reports whether c, or a command of the program it runs from a
// string ("sudo sh -c 'rm -rf ...'"), empties the cache.
func cleans(spec *Spec, c *shellcmd.Command, depth int) bool {
	if spec.Cleans(c) {
		return true
	}
	if inner, ok := c.Inline(); ok && depth < 2 {
		for _, ic := range inner {
			if cleans(spec, ic, depth+1) {
				return true
			}
		}
	}
	return false
}

func shapeReason(err error) string {
	if se, ok := err.(*shellcmd.ShapeError); ok {
		return se.Reason
	}
	return err.Error()
}

// mounted reports a cache or tmpfs mount over one of the cache
// directories, or over a directory named like one (another user's), or
// whose target is a variable.
func mounted(in *source.Instruction, spec *Spec) bool {
	for _, d := range spec.CacheDirs {
		if shellcmd.CacheCovers(in, d) {
			return true
		}
	}
	for _, m := range shellcmd.Mounts(in) {
		if m.Type != "cache" && m.Type != "tmpfs" {
			continue
		}
		t := path.Clean(m.Target)
		for _, n := range spec.MountNames {
			if path.Base(t) == n || strings.Contains(t, "/"+n+"/") {
				return true
			}
		}
	}
	return false
}

// Prefix returns the wrapper words of c that a related command must keep:
// "sudo" (with its options) when c runs through sudo, else "".
func Prefix(c *shellcmd.Command) string {
	if !c.Sudo() {
		return ""
	}
	var parts []string
	for _, w := range c.Prefix {
		if w.Literal && path.Base(w.Value) == "env" {
			break
		}
		parts = append(parts, shellcmd.WordText(w))
	}
	return strings.Join(parts, " ") + " "
}

// RemovesPathWith reports whether c is an rm with an operand whose text
// contains one of parts (".npm", "yarn"), a variable or ~ included.
func RemovesPathWith(c *shellcmd.Command, parts ...string) bool {
	if c.Name() != "rm" {
		return false
	}
	for _, i := range c.Parse().Operands {
		w := c.Args[i]
		text := w.Value
		if !w.Literal && w.Node != nil {
			text = shellcmd.WordText(w)
		}
		for _, p := range parts {
			if strings.Contains(text, p) {
				return true
			}
		}
	}
	return false
}
