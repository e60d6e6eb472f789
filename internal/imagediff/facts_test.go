package imagediff

import (
	"slices"
	"strings"
	"testing"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockmend/dockmend/internal/buildfacts"
)

// TestFacts reads what a build tells a rule: the packages, which of them
// the base image had, what they depend on, and for the files the steps
// made the packages of their libraries and interpreters. The program is
// a dynamic executable of the host, so that its ELF headers are real.
func TestFacts(t *testing.T) {
	needed, interp, data := hostELF(t)
	// The base: libc6 with the program interpreter, base-files
	// (Essential), the package "lang" with its interpreter.
	baseStatus := "Package: base-files\nEssential: yes\nStatus: install ok installed\nVersion: 12\n\n" +
		"Package: libc6\nPriority: optional\nStatus: install ok installed\nVersion: 2.36\nDepends: libgcc-s1\n\n" +
		"Package: libgcc-s1\nPriority: optional\nStatus: install ok installed\nVersion: 12\n\n"
	layer0 := []entry{
		dir("usr"), dir("usr/bin"), dir("usr/lib"), dir("etc"),
		dir("var"), dir("var/lib"), dir("var/lib/dpkg"), dir("var/lib/dpkg/info"),
		file("var/lib/dpkg/status", baseStatus),
		file("var/lib/dpkg/info/base-files.list", "/.\n/etc\n"),
		file("var/lib/dpkg/info/libc6:amd64.list", "/.\n"+interp+"\n/usr/bin/env\n"),
		file("var/lib/dpkg/info/libgcc-s1:amd64.list", "/.\n"),
		exe(interp[1:], "the loader"),
		exe("usr/bin/env", "env"),
	}
	for _, d := range parents(interp) {
		layer0 = append(layer0, dir(d))
	}
	// The steps: install libfoo1 (the program's libraries, by name) and
	// lang (the interpreter of a script, through a virtual package), and
	// make the program and the script.
	status := baseStatus +
		"Package: libfoo1\nStatus: install ok installed\nVersion: 1.0\nDepends: libc6 (>= 2.34), lang-runtime | other\n\n" +
		"Package: lang\nStatus: install ok installed\nVersion: 3.0\nProvides: lang-runtime (= 3.0)\nPre-Depends: libc6:any\n\n" +
		"Package: removed\nStatus: deinstall ok config-files\nVersion: 1\n\n"
	list := "/.\n"
	layer1 := []entry{
		file("var/lib/dpkg/status", status),
		exe("usr/bin/lang", "#!/bin/sh\n"),
		file("var/lib/dpkg/info/lang.list", "/.\n/usr/bin/lang\n"),
		dir("usr/local"), dir("usr/local/bin"),
		exe("usr/local/bin/app", string(data)),
		exe("usr/local/bin/script", "#!/usr/bin/env lang\nprint\n"),
		exe("usr/local/bin/orphan", "#!/usr/bin/missing\n"),
	}
	for _, n := range needed {
		layer1 = append(layer1, file("usr/lib/"+n, "not an ELF file, found by name"))
		list += "/usr/lib/" + n + "\n"
	}
	layer1 = append(layer1, file("var/lib/dpkg/info/libfoo1:amd64.list", list))
	img := read(t, saveArchive(t, v1.Config{}, layer0, layer1))
	f := Side{Image: img, BaseLayers: 1}.Facts()

	want := map[string]buildfacts.Package{
		"base-files": {Version: "12", Base: true, Required: true},
		"libc6":      {Version: "2.36", Base: true, Depends: []string{"libgcc-s1"}},
		"libgcc-s1":  {Version: "12", Base: true},
		"libfoo1":    {Version: "1.0", Depends: []string{"lang", "libc6"}},
		"lang":       {Version: "3.0", Depends: []string{"libc6"}},
	}
	if len(f.Packages) != len(want) {
		t.Errorf("packages: %v", f.Packages)
	}
	for name, w := range want {
		g := f.Packages[name]
		if g.Version != w.Version || g.Base != w.Base || g.Required != w.Required || !slices.Equal(g.Depends, w.Depends) {
			t.Errorf("package %s: %+v, want %+v", name, g, w)
		}
	}
	files := map[string]buildfacts.File{}
	for _, x := range f.Files {
		files[x.Path] = x
	}
	app := files["/usr/local/bin/app"]
	if !app.ELF || app.Interpreter != interp || app.InterpreterPackage != "libc6" {
		t.Errorf("app: ELF %v, interpreter %q of %q", app.ELF, app.Interpreter, app.InterpreterPackage)
	}
	if len(app.Needs) != len(needed) {
		t.Errorf("app needs %+v, want %v", app.Needs, needed)
	}
	for _, l := range app.Needs {
		if l.Package != "libfoo1" || l.Path != "/usr/lib/"+l.Name {
			t.Errorf("app needs %+v: want it at /usr/lib, of libfoo1", l)
		}
	}
	if s := files["/usr/local/bin/script"]; s.Interpreter != "/usr/bin/lang" || s.InterpreterPackage != "lang" {
		t.Errorf("script: interpreter %q of %q, want /usr/bin/lang of lang", s.Interpreter, s.InterpreterPackage)
	}
	if s := files["/usr/local/bin/orphan"]; s.Interpreter != "" || s.InterpreterPackage != "" {
		t.Errorf("orphan: interpreter %q of %q, want none", s.Interpreter, s.InterpreterPackage)
	}
	if _, ok := files["/usr/bin/lang"]; ok {
		t.Errorf("a package's file counts as made by the steps")
	}
}

// parents returns the directories above an absolute path, outermost
// first, without the leading slash.
func parents(p string) []string {
	var out []string
	parts := strings.Split(strings.Trim(p, "/"), "/")
	for i := 1; i < len(parts); i++ {
		out = append(out, strings.Join(parts[:i], "/"))
	}
	return out
}
