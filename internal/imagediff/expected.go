package imagediff

import (
	"archive/tar"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/toolcache"
)

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
	return toolcache.Explain(p) // the caches of build tools, in a home or elsewhere
}

func allIn(xs, set []string) bool {
	for _, x := range xs {
		if !slices.Contains(set, x) {
			return false
		}
	}
	return true
}
