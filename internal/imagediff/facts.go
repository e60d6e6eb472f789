package imagediff

import (
	"archive/tar"
	"path"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/buildfacts"
)

// Facts returns what the image of s tells a rule about the Dockerfile's
// own steps: the files they made, and for executables, libraries and
// scripts among them the libraries they load and the interpreters they
// run, with the packages that own them; and the installed packages, with
// those the base image had and what they depend on.
func (s Side) Facts() *buildfacts.Facts {
	img := s.Image
	f := &buildfacts.Facts{Base: s.Base, PackageManager: img.PackageManager, Packages: img.packageFacts(s.BaseLayers)}
	for _, p := range s.Created() {
		e := img.Files[p]
		bf := buildfacts.File{Path: p, Mode: modeOctal(e.Mode), UID: e.UID, GID: e.GID, Link: e.Link, Executable: e.Executable()}
		switch e.Type {
		case tar.TypeDir:
			bf.Kind = "dir"
		case tar.TypeReg:
			bf.Kind = "file"
		case tar.TypeSymlink:
			bf.Kind = "symlink"
		default:
			bf.Kind = "other"
		}
		switch {
		case e.ELF != nil && e.ELF.Err == "":
			bf.ELF = true
			bf.Interpreter = e.ELF.Interp
			if bf.Interpreter != "" && img.Lookup(bf.Interpreter) != nil {
				bf.InterpreterPackage = img.Owner(bf.Interpreter)
			}
			found, missing := img.resolveELF(p, e)
			for _, l := range found {
				bf.Needs = append(bf.Needs, buildfacts.Library{Name: l.name, Path: l.path, Package: img.Owner(l.path)})
			}
			for _, m := range missing {
				if !strings.HasPrefix(m, "interpreter ") {
					bf.Needs = append(bf.Needs, buildfacts.Library{Name: m})
				}
			}
		case e.Shebang != "":
			bf.Interpreter = img.interpreter(e.Shebang)
			if bf.Interpreter != "" {
				bf.InterpreterPackage = img.Owner(bf.Interpreter)
			}
		}
		f.Files = append(f.Files, bf)
	}
	return f
}

// interpreter returns the program a #! line runs, "" when the image lacks
// it: the path it names, or for "/usr/bin/env NAME" the path of NAME on
// the image's PATH.
func (img *Image) interpreter(shebang string) string {
	fields := strings.Fields(shebang)
	if len(fields) == 0 {
		return ""
	}
	interp := fields[0]
	if t := img.Lookup(interp); t == nil || !t.Executable() {
		return ""
	}
	if path.Base(interp) != "env" {
		return interp
	}
	for _, a := range fields[1:] {
		if strings.HasPrefix(a, "-") || strings.Contains(a, "=") {
			continue // env's options (-S, -i) and assignments
		}
		return img.findOnPath(a)
	}
	return interp
}

// findOnPath returns the path of the executable name on the image's PATH
// (or the default PATH when it sets none), "" when there is none.
func (img *Image) findOnPath(name string) string {
	if strings.Contains(name, "/") {
		if t := img.Lookup(name); t != nil && t.Executable() {
			return name
		}
		return ""
	}
	dirs := img.envList("PATH")
	if dirs == nil {
		dirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
	}
	for _, d := range dirs {
		p := path.Join(d, name)
		if t := img.Lookup(p); t != nil && t.Executable() {
			return p
		}
	}
	return ""
}

// packageFacts returns the installed packages: a package whose file list
// a layer below baseLayers last wrote is the base image's; dependencies
// are resolved to installed packages, through the virtual packages they
// provide.
func (img *Image) packageFacts(baseLayers int) map[string]buildfacts.Package {
	if img.Packages == nil {
		return nil
	}
	providers := map[string][]string{}
	for name, rec := range img.records {
		for _, v := range rec.provides {
			providers[v] = append(providers[v], name)
		}
	}
	for _, ps := range providers {
		slices.Sort(ps)
	}
	out := make(map[string]buildfacts.Package, len(img.Packages))
	for name, version := range img.Packages {
		p := buildfacts.Package{Version: version}
		if layer, ok := img.listed[name]; ok && layer < baseLayers {
			p.Base = true
		}
		if rec := img.records[name]; rec != nil {
			p.Required = rec.required
			for _, alts := range rec.depends {
				if dep := img.installedAlternative(alts, providers); dep != "" && dep != name && !slices.Contains(p.Depends, dep) {
					p.Depends = append(p.Depends, dep)
				}
			}
			slices.Sort(p.Depends)
		}
		out[name] = p
	}
	return out
}

// installedAlternative returns the first of alts that is installed, or
// provided by an installed package, "" for none.
func (img *Image) installedAlternative(alts []string, providers map[string][]string) string {
	for _, a := range alts {
		if _, ok := img.Packages[a]; ok {
			return a
		}
		if ps := providers[a]; len(ps) > 0 {
			return ps[0]
		}
	}
	return ""
}
