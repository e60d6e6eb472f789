package imagediff

import (
	"archive/tar"
	"strings"

	"github.com/dockmend/dockmend/internal/buildfacts"
)

// Facts returns what the image of s tells a rule about the Dockerfile's
// own steps: the files they made, and for executables, libraries and
// scripts among them the libraries they load with their packages.
func (s Side) Facts() *buildfacts.Facts {
	img := s.Image
	f := &buildfacts.Facts{Base: s.Base, PackageManager: img.PackageManager, Packages: img.Packages}
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
			if fields := strings.Fields(e.Shebang); len(fields) > 0 {
				bf.Interpreter = fields[0]
			}
		}
		f.Files = append(f.Files, bf)
	}
	return f
}
