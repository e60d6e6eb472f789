package imagediff

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Kinds of Difference.
const (
	KindConfig     = "config"     // a field of the run configuration
	KindMissing    = "missing"    // a file the steps made is gone
	KindContent    = "content"    // a regular file has other content
	KindMetadata   = "metadata"   // type, mode, owner or link target differ
	KindDependency = "dependency" // a library or interpreter no longer resolves
	KindAccount    = "account"    // a user or group is gone or changed
)

// Difference is one way the new image differs from the old one.
type Difference struct {
	// Kind is one of the Kind constants.
	Kind string `json:"kind"`
	// Subject is what differs: a configuration field ("Env PATH"), a
	// path, a user or group.
	Subject string `json:"subject"`
	// Before and After describe the old and the new state; "" for none.
	Before string `json:"before,omitempty"`
	After  string `json:"after,omitempty"`
	// Expected explains a difference the rewrite is expected to make; ""
	// when nothing does.
	Expected string `json:"expected,omitempty"`
}

// String describes the difference in one line.
func (d Difference) String() string {
	var s string
	switch {
	case d.Before != "" && d.After != "":
		s = fmt.Sprintf("%s: %s -> %s", d.Subject, d.Before, d.After)
	case d.Before != "":
		s = fmt.Sprintf("%s: %s", d.Subject, d.Before)
	case d.After != "":
		s = fmt.Sprintf("%s: %s", d.Subject, d.After)
	default:
		s = d.Subject
	}
	if d.Expected != "" {
		s += " (expected: " + d.Expected + ")"
	}
	return s
}

// Side is one image of a comparison, with what the build tells about it.
type Side struct {
	Image *Image
	// BaseLayers is the number of layers of the final stage's base image
	// (0 for scratch); the layers above it are the Dockerfile's steps.
	BaseLayers int
	// BaseConfig is the base image's run configuration; nil when unknown
	// or scratch.
	BaseConfig *v1.Config
	// Base names the base image, for messages.
	Base string
}

// Comparison is what Compare found.
type Comparison struct {
	// Created counts the files the Dockerfile's steps made in the old
	// image that were compared; Checked the executables, libraries and
	// scripts among them whose dependencies were resolved.
	Created, Checked int `json:"-"`
	// Differences are every difference found, expected ones included.
	Differences []Difference
}

// Created returns the paths of the entries that the Dockerfile's steps
// made or changed in s's image: written by a layer above the base, and
// not a package's file as the package installed it.
func (s Side) Created() []string {
	var out []string
	for p, f := range s.Image.Files {
		if f.Layer >= s.BaseLayers && !s.Image.PackageFile(p) && !mountPoint(p, f) {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// mountPoint reports whether the entry at p is one that builders leave
// behind where they mount the container's run-time files: /dev, /proc,
// /sys, an empty /run, and empty /etc/hostname, hosts and resolv.conf.
func mountPoint(p string, f *File) bool {
	switch p {
	case "/dev", "/proc", "/sys", "/run":
		return f.Type == tar.TypeDir
	case "/etc/hostname", "/etc/hosts", "/etc/resolv.conf", "/.dockerenv", "/run/.containerenv":
		return f.Size == 0
	}
	return false
}

// Compare compares the new image with the old one; see the package
// comment.
func Compare(old, new Side) *Comparison {
	c := &Comparison{}
	c.compareConfig(old, new)
	dropped := droppedPackages(old.Image, new.Image)
	created := old.Created()
	c.Created = len(created)
	var missingDirs []string
	for _, p := range created {
		of := old.Image.Files[p]
		nf := new.Image.Files[p]
		if nf == nil {
			if under(p, missingDirs) {
				continue
			}
			d := Difference{Kind: KindMissing, Subject: p, Before: describe(of)}
			d.Expected = expectedMissing(old.Image, p, dropped)
			if of.Type == tar.TypeDir {
				// A directory is reported once, for all it holds; it is
				// expected to go when all it holds is.
				missingDirs = append(missingDirs, p)
				below := entriesBelow(created, p)
				if len(below) > 0 {
					d.Before += fmt.Sprintf(" with %d entries", len(below))
				}
				if d.Expected == "" {
					d.Expected = expectedDir(old.Image, below, dropped)
				}
			}
			c.add(d)
			continue
		}
		if accountFile(p) && of.text != nil && nf.text != nil {
			c.compareAccounts(p, of, nf, dropped)
		} else {
			c.compareFile(old.Image, p, of, nf, dropped)
		}
		if m, ok := old.Image.Missing(p); ok {
			c.Checked++
			after, _ := new.Image.Missing(p)
			for _, item := range after {
				if !slices.Contains(m, item) {
					c.add(Difference{Kind: KindDependency, Subject: p, After: "needs " + item + ", which the image lacks"})
				}
			}
		}
	}
	return c
}

func (c *Comparison) add(d Difference) { c.Differences = append(c.Differences, d) }

// Unexpected returns the differences that nothing explains, of the
// given kinds (all kinds when none are given).
func (c *Comparison) Unexpected(kinds ...string) []Difference {
	var out []Difference
	for _, d := range c.Differences {
		if d.Expected == "" && (len(kinds) == 0 || slices.Contains(kinds, d.Kind)) {
			out = append(out, d)
		}
	}
	return out
}

// compareFile compares one entry present in both images.
func (c *Comparison) compareFile(old *Image, p string, of, nf *File, dropped []string) {
	var meta []string
	if of.Type != nf.Type {
		c.add(Difference{Kind: KindMetadata, Subject: p, Before: describe(of), After: describe(nf), Expected: expectedChange(old, p, dropped)})
		return
	}
	if of.Mode != nf.Mode {
		meta = append(meta, fmt.Sprintf("mode %s -> %s", modeString(of.Mode), modeString(nf.Mode)))
	}
	if of.UID != nf.UID || of.GID != nf.GID {
		meta = append(meta, fmt.Sprintf("owner %d:%d -> %d:%d", of.UID, of.GID, nf.UID, nf.GID))
	}
	if of.Link != nf.Link {
		meta = append(meta, fmt.Sprintf("link target %s -> %s", of.Link, nf.Link))
	}
	if len(meta) > 0 && of.Type != tar.TypeDir {
		c.add(Difference{Kind: KindMetadata, Subject: p, After: strings.Join(meta, ", "), Expected: expectedChange(old, p, dropped)})
	}
	if of.Regular() && of.Digest != "" && nf.Digest != "" && of.Digest != nf.Digest {
		c.add(Difference{Kind: KindContent, Subject: p,
			Before:   fmt.Sprintf("%d bytes sha256:%.12s", of.Size, of.Digest),
			After:    fmt.Sprintf("%d bytes sha256:%.12s", nf.Size, nf.Digest),
			Expected: expectedChange(old, p, dropped)})
	}
}

// describe names an entry's type.
func describe(f *File) string {
	switch f.Type {
	case tar.TypeDir:
		return "directory"
	case tar.TypeSymlink:
		return "symbolic link to " + f.Link
	case tar.TypeReg:
		if f.Executable() {
			return fmt.Sprintf("executable, %d bytes", f.Size)
		}
		return fmt.Sprintf("file, %d bytes", f.Size)
	}
	return "special file"
}

// modeOctal returns permission bits and setuid, setgid, sticky as the
// number chmod takes.
func modeOctal(m fs.FileMode) uint32 {
	n := uint32(m.Perm())
	if m&fs.ModeSetuid != 0 {
		n |= 0o4000
	}
	if m&fs.ModeSetgid != 0 {
		n |= 0o2000
	}
	if m&fs.ModeSticky != 0 {
		n |= 0o1000
	}
	return n
}

func modeString(m fs.FileMode) string { return fmt.Sprintf("%04o", modeOctal(m)) }

func under(p string, dirs []string) bool {
	for _, d := range dirs {
		if strings.HasPrefix(p, d+"/") {
			return true
		}
	}
	return false
}
