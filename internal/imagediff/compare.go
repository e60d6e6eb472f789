// This file is longer than 450 lines: it came in before issue 16's rule
// that files say why or are split by concern; split it when next changed.

package imagediff

import (
	"archive/tar"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"reflect"
	"regexp"
	"slices"
	"strconv"
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

// expectedDir explains a missing directory by what it holds: every file
// in it (directories aside) is expected to go. A directory that holds
// only directories is explained when one of them is (the mount point of a
// build's cache, /root/go/pkg/mod). It returns "" otherwise.
func expectedDir(old *Image, below []string, dropped []string) string {
	example, why := "", ""
	if !slices.ContainsFunc(below, func(q string) bool { return old.Files[q].Type != tar.TypeDir }) {
		for _, q := range below {
			if w := expectedMissing(old, q, dropped); w != "" {
				return "it holds only directories, such as " + q + ": " + w
			}
		}
		return ""
	}
	for _, q := range below {
		if old.Files[q].Type == tar.TypeDir {
			continue
		}
		w := expectedMissing(old, q, dropped)
		if w == "" {
			return ""
		}
		if example == "" {
			example, why = q, w
		}
	}
	if example == "" {
		return ""
	}
	return "all it holds is expected to go, such as " + example + ": " + why
}

// entriesBelow returns the paths of sorted that are below dir.
func entriesBelow(sorted []string, dir string) []string {
	i, _ := slices.BinarySearch(sorted, dir+"/")
	j := i
	for j < len(sorted) && strings.HasPrefix(sorted[j], dir+"/") {
		j++
	}
	return sorted[i:j]
}

// droppedPackages lists the packages the old image has and the new one
// does not, sorted.
func droppedPackages(old, new *Image) []string {
	if old.Packages == nil || new.Packages == nil {
		return nil
	}
	var out []string
	for p := range old.Packages {
		if _, ok := new.Packages[p]; !ok {
			out = append(out, p)
		}
	}
	slices.Sort(out)
	return out
}

// stateDirs are directories whose content is package-manager state,
// caches, logs or temporary files: a rewrite that cleans up or installs
// fewer packages changes them, and no program needs them to run.
var stateDirs = []struct{ prefix, why string }{
	{"/var/lib/apt/lists/", "apt's package lists, which the cleanup removes"},
	{"/var/cache/", "a cache"},
	{"/var/log/", "a log file"},
	{"/var/lib/dpkg/", "dpkg's database of the installed packages"},
	{"/var/lib/apt/", "apt's state"},
	{"/etc/apt/apt.conf.d/", "apt's settings, which only installs read: the build's stay in its stage"},
	{"/lib/apk/db/", "apk's database of the installed packages"},
	{"/etc/apk/", "apk's state"},
	{"/var/lib/ucf/", "package configuration state"},
	{"/var/lib/systemd/", "package configuration state"},
	{"/var/lib/pam/", "package configuration state"},
	{"/var/lib/python/", "package configuration state"},
	{"/tmp/", "a temporary file"},
	{"/var/tmp/", "a temporary file"},
	{"/run/", "run-time state"},
	{"/go/pkg/mod/", "Go's module cache"},
	{"/usr/local/share/.cache/", "a build cache"},
}

// homeCaches are the directories, relative to a home directory (/root or
// /home/NAME), where build tools keep caches: a build run as a user
// (npm ci as node) fills the user's.
var homeCaches = []struct{ dir, why string }{
	{".cache", "a build cache"},
	{".npm", "npm's cache"},
	{".m2", "Maven's repository cache"},
	{".gradle", "Gradle's cache"},
	{".cargo/registry", "Cargo's registry cache"},
	{".cargo/git", "Cargo's git cache"},
	{".cargo/.package-cache", "the lock of Cargo's caches"},
	{".cargo/.package-cache-mutate", "the lock of Cargo's caches"},
	{".cargo/.global-cache", "Cargo's record of its caches' use"},
	{"go/pkg", "Go's module and build cache"},
	{".config/go", "Go's settings cache"},
}

// homeCache explains p when it is one of homeCaches or below one, or
// returns "".
func homeCache(p string) string {
	var rest string
	switch {
	case strings.HasPrefix(p, "/root/"):
		rest = p[len("/root/"):]
	case strings.HasPrefix(p, "/home/"):
		_, after, ok := strings.Cut(p[len("/home/"):], "/")
		if !ok {
			return ""
		}
		rest = after
	default:
		return ""
	}
	for _, c := range homeCaches {
		if rest == c.dir || strings.HasPrefix(rest, c.dir+"/") {
			return c.why
		}
	}
	return ""
}

// generatedFiles are single files that programs regenerate.
var generatedFiles = map[string]string{
	"/etc/ld.so.cache":    "the dynamic loader's cache, which ldconfig rebuilds",
	"/usr/share/info/dir": "the info index of the installed packages",
	"/etc/shells":         "the list of installed shells",
}

// expectedMissing explains a missing entry, or returns "".
func expectedMissing(old *Image, p string, dropped []string) string {
	if why := expectedAlways(old, p); why != "" {
		return why
	}
	return byPackageScripts(old, p, dropped)
}

// expectedChange explains a changed entry, or returns "".
func expectedChange(old *Image, p string, dropped []string) string {
	if why := expectedAlways(old, p); why != "" {
		return why
	}
	if len(dropped) > 0 && old.Owner(p) != "" {
		return "a package's file that a step changed; the set of installed packages changed"
	}
	return byPackageScripts(old, p, dropped)
}

// installs matches the commands that install packages, whose maintainer
// scripts make files no package owns (/etc/inputrc, alternatives, systemd
// links).
var installs = regexp.MustCompile(`\b(apt-get|apt|aptitude)\s+(-\S+\s+)*(install|upgrade|dist-upgrade|full-upgrade|reinstall|build-dep)\b|\bdpkg\s+(-\S+\s+)*(-i|--install)\b|\bapk\s+(-\S+\s+)*add\b`)

// byPackageScripts explains an entry no package owns that the step that
// installed packages made, when the new image lacks some of those
// packages: their maintainer scripts most likely made it.
func byPackageScripts(old *Image, p string, dropped []string) string {
	f := old.Files[p]
	if len(dropped) == 0 || f == nil || f.Layer >= len(old.CreatedBy) || !installs.MatchString(old.CreatedBy[f.Layer]) {
		return ""
	}
	names := dropped
	more := ""
	if len(names) > 4 {
		names, more = names[:4], fmt.Sprintf(" and %d more", len(dropped)-4)
	}
	return fmt.Sprintf("made by the step that installed packages, most likely by the scripts of one the rewritten image does not install (%s%s)", strings.Join(names, ", "), more)
}

// expectedAlways explains entries that any rewrite may change.
func expectedAlways(old *Image, p string) string {
	for _, s := range stateDirs {
		if strings.HasPrefix(p+"/", s.prefix) {
			return s.why
		}
	}
	if why := generatedFiles[p]; why != "" {
		return why
	}
	if b := path.Base(p); b == ".crates.toml" || b == ".crates2.json" {
		return "Cargo's record of the crates cargo install put there, which only cargo reads"
	}
	if strings.HasSuffix(p, ".pyc") || strings.Contains(p, "/__pycache__/") || strings.HasSuffix(p, "/__pycache__") {
		return "Python's bytecode cache, rebuilt on import"
	}
	if strings.HasPrefix(p, "/etc/alternatives/") || old.managed[old.canonical(p)] {
		return "a link of dpkg's alternatives system"
	}
	return homeCache(p)
}

func allIn(xs, set []string) bool {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return true
}

// compareConfig compares the run configurations.
func (c *Comparison) compareConfig(old, new Side) {
	oc, nc := old.Image.Config.Config, new.Image.Config.Config
	var ob, nb v1.Config
	baseKnown := old.BaseConfig != nil && new.BaseConfig != nil
	if old.BaseConfig != nil {
		ob = *old.BaseConfig
	}
	if new.BaseConfig != nil {
		nb = *new.BaseConfig
	}
	// inherited explains a value each image took from its own base.
	inherited := func(ov, nv, obv, nbv any) string {
		if baseKnown && reflect.DeepEqual(ov, obv) && reflect.DeepEqual(nv, nbv) && !reflect.DeepEqual(obv, nbv) {
			return fmt.Sprintf("inherited from the base image, %s before and %s after", nameOr(old.Base), nameOr(new.Base))
		}
		return ""
	}
	field := func(name string, ov, nv, obv, nbv any) {
		if reflect.DeepEqual(ov, nv) {
			return
		}
		c.add(Difference{Kind: KindConfig, Subject: name, Before: show(ov), After: show(nv), Expected: inherited(ov, nv, obv, nbv)})
	}
	field("Entrypoint", oc.Entrypoint, nc.Entrypoint, ob.Entrypoint, nb.Entrypoint)
	field("Cmd", oc.Cmd, nc.Cmd, ob.Cmd, nb.Cmd)
	field("User", oc.User, nc.User, ob.User, nb.User)
	field("WorkingDir", oc.WorkingDir, nc.WorkingDir, ob.WorkingDir, nb.WorkingDir)
	field("Healthcheck", oc.Healthcheck, nc.Healthcheck, ob.Healthcheck, nb.Healthcheck)
	field("StopSignal", oc.StopSignal, nc.StopSignal, ob.StopSignal, nb.StopSignal)
	field("Shell", oc.Shell, nc.Shell, ob.Shell, nb.Shell)
	keys := func(name string, o, n, obm, nbm map[string]string) {
		for _, k := range slices.Sorted(maps.Keys(union(o, n))) {
			ov, oOK := o[k]
			nv, nOK := n[k]
			if oOK == nOK && ov == nv {
				continue
			}
			obv, obOK := obm[k]
			nbv, nbOK := nbm[k]
			d := Difference{Kind: KindConfig, Subject: name + " " + k}
			if oOK {
				d.Before = strconv.Quote(ov)
			}
			if nOK {
				d.After = strconv.Quote(nv)
			} else {
				d.After = "unset"
			}
			d.Expected = inherited([2]any{ov, oOK}, [2]any{nv, nOK}, [2]any{obv, obOK}, [2]any{nbv, nbOK})
			if d.Expected == "" && name == "Env" && k == "PATH" && oOK && nOK {
				d.Expected = samePath(new.Image, ov, nv)
			}
			c.add(d)
		}
	}
	keys("Env", envMap(oc.Env), envMap(nc.Env), envMap(ob.Env), envMap(nb.Env))
	keys("Label", oc.Labels, nc.Labels, ob.Labels, nb.Labels)
	keys("ExposedPorts", setMap(oc.ExposedPorts), setMap(nc.ExposedPorts), setMap(ob.ExposedPorts), setMap(nb.ExposedPorts))
	keys("Volumes", setMap(oc.Volumes), setMap(nc.Volumes), setMap(ob.Volumes), setMap(nb.Volumes))
}

// samePath explains a changed PATH that finds the same commands in img
// (the rewritten image): the two lists differ only in directories img
// does not have, such as a toolchain's (/usr/local/go/bin). It returns ""
// otherwise.
func samePath(img *Image, old, new string) string {
	has := func(dir string) bool {
		f := img.Files[img.canonical(dir)]
		return f != nil && f.Type == tar.TypeDir
	}
	present := func(dirs []string) []string {
		var out []string
		for _, d := range dirs {
			if has(d) {
				out = append(out, path.Clean(d))
			}
		}
		return out
	}
	oldDirs, newDirs := strings.Split(old, ":"), strings.Split(new, ":")
	if !slices.Equal(present(oldDirs), present(newDirs)) {
		return ""
	}
	var gone []string
	for _, d := range oldDirs {
		if d != "" && !has(d) && !slices.Contains(newDirs, d) {
			gone = append(gone, d)
		}
	}
	if len(gone) == 0 {
		return ""
	}
	return "the same search path in the rewritten image, which does not have " + strings.Join(gone, ", ")
}

func nameOr(s string) string {
	if s == "" {
		return "scratch"
	}
	return s
}

func show(v any) string {
	switch x := v.(type) {
	case string:
		return strconv.Quote(x)
	case []string:
		if x == nil {
			return "unset"
		}
		q := make([]string, len(x))
		for i, s := range x {
			q[i] = strconv.Quote(s)
		}
		return "[" + strings.Join(q, ", ") + "]"
	case *v1.HealthConfig:
		if x == nil {
			return "unset"
		}
		return fmt.Sprintf("%v every %s", x.Test, x.Interval)
	}
	return fmt.Sprint(v)
}

func union(a, b map[string]string) map[string]string {
	m := map[string]string{}
	maps.Copy(m, a)
	maps.Copy(m, b)
	return m
}

func envMap(env []string) map[string]string {
	m := map[string]string{}
	for _, kv := range env {
		k, v, _ := strings.Cut(kv, "=")
		m[k] = v
	}
	return m
}

func setMap(s map[string]struct{}) map[string]string {
	m := map[string]string{}
	for k := range s {
		m[k] = ""
	}
	return m
}

// accountFile reports whether p is a file of users or groups, compared
// entry by entry.
func accountFile(p string) bool { return p == "/etc/passwd" || p == "/etc/group" }

// compareAccounts compares /etc/passwd or /etc/group by entry: a user or
// group of the old image must exist in the new one with the same id,
// group, home and shell.
func (c *Comparison) compareAccounts(p string, of, nf *File, dropped []string) {
	kind := "user"
	if p == "/etc/group" {
		kind = "group"
	}
	oldEntries, newEntries := accounts(of.text), accounts(nf.text)
	for _, name := range slices.Sorted(maps.Keys(oldEntries)) {
		oe := oldEntries[name]
		ne, ok := newEntries[name]
		d := Difference{Kind: KindAccount, Subject: kind + " " + name}
		switch {
		case !ok:
			d.Before, d.After = oe.describe(kind), "missing"
		case kind == "user" && (oe.id != ne.id || oe.fields[3] != ne.fields[3] || oe.fields[5] != ne.fields[5] || oe.fields[6] != ne.fields[6]):
			d.Before, d.After = oe.describe(kind), ne.describe(kind)
		case kind == "group" && oe.id != ne.id:
			d.Before, d.After = oe.describe(kind), ne.describe(kind)
		default:
			continue
		}
		if !ok && oe.system() && len(dropped) > 0 {
			d.Expected = "a system " + kind + " that a package's scripts most likely made; the rewritten image does not install " + strings.Join(dropped, ", ")
		}
		if ok && oe.system() && ne.system() && oe.fields[5] == ne.fields[5] && oe.fields[6] == ne.fields[6] {
			if gone := goneBelow(oldEntries, newEntries, oe.id); len(gone) > 0 {
				d.Expected = "a system " + kind + "'s id, which adduser --system takes from the free range: the rewritten image lacks " +
					strings.Join(gone, ", ") + ", made before it with a lower id"
			}
		}
		c.add(d)
	}
}

// goneBelow returns the names of the system accounts of old, with an id
// below id, that new lacks, sorted: when new lacks them, the accounts made
// after them get other ids.
func goneBelow(old, new map[string]account, id int) []string {
	var out []string
	for name, a := range old {
		if _, ok := new[name]; !ok && a.system() && a.id < id {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

type account struct {
	id     int
	fields []string
}

func (a account) system() bool { return a.id > 0 && a.id < 1000 }

func (a account) describe(kind string) string {
	if kind == "user" {
		return fmt.Sprintf("uid %s gid %s home %s shell %s", a.fields[2], a.fields[3], a.fields[5], a.fields[6])
	}
	return "gid " + a.fields[2]
}

// accounts parses passwd or group lines into entries by name; a passwd
// entry has 7 fields, a group entry 4 (padded to 7).
func accounts(data []byte) map[string]account {
	m := map[string]account{}
	eachLine(data, func(line string) {
		f := strings.Split(line, ":")
		if len(f) < 3 || f[0] == "" || strings.HasPrefix(f[0], "#") {
			return
		}
		for len(f) < 7 {
			f = append(f, "")
		}
		id, err := strconv.Atoi(f[2])
		if err != nil {
			id = -1
		}
		m[f[0]] = account{id: id, fields: f}
	})
	return m
}
