package imagediff

import (
	"debug/elf"
	"path"
	"slices"
	"strings"
)

// maxLibraries bounds the libraries followed from one file.
const maxLibraries = 4096

// multiarch names the Debian multiarch directory of each machine.
var multiarch = map[elf.Machine]map[elf.Class]string{
	elf.EM_X86_64:  {elf.ELFCLASS64: "x86_64-linux-gnu", elf.ELFCLASS32: "x86_64-linux-gnux32"},
	elf.EM_386:     {elf.ELFCLASS32: "i386-linux-gnu"},
	elf.EM_AARCH64: {elf.ELFCLASS64: "aarch64-linux-gnu"},
	elf.EM_ARM:     {elf.ELFCLASS32: "arm-linux-gnueabihf"},
	elf.EM_PPC64:   {elf.ELFCLASS64: "powerpc64le-linux-gnu"},
	elf.EM_S390:    {elf.ELFCLASS64: "s390x-linux-gnu"},
	elf.EM_RISCV:   {elf.ELFCLASS64: "riscv64-linux-gnu"},
}

// Missing returns what the file at p needs to run and the image lacks:
// for an ELF file, its program interpreter and the shared libraries it
// needs, directly or through other libraries, each resolved the way the
// dynamic loader (glibc's or musl's) searches: DT_RPATH, LD_LIBRARY_PATH
// from the image's environment, DT_RUNPATH, the ld.so.conf directories,
// the default directories; for a script, the #! interpreter (and, for
// "/usr/bin/env NAME", NAME on the image's PATH). Each item says what is
// missing and what needs it. ok is false when p is none of these, or its
// headers could not be read.
func (img *Image) Missing(p string) (missing []string, ok bool) {
	f := img.Lookup(p)
	if f == nil {
		return nil, false
	}
	switch {
	case f.ELF != nil && f.ELF.Err == "":
		return img.missingELF(p, f), true
	case f.Shebang != "":
		return img.missingInterpreter(p, f.Shebang), true
	}
	return nil, false
}

func (img *Image) missingELF(p string, f *File) []string {
	_, missing := img.resolveELF(p, f)
	return missing
}

// library is a shared library found for a file.
type library struct {
	name, path string
}

// resolveELF follows the interpreter and the libraries an ELF file
// needs, breadth first; it returns the libraries found (by the path the
// image has them at) and what is missing.
func (img *Image) resolveELF(p string, f *File) (found []library, missing []string) {
	musl := strings.Contains(f.ELF.Interp, "ld-musl")
	if f.ELF.Interp != "" {
		if t := img.Lookup(f.ELF.Interp); t == nil || !t.Regular() {
			missing = append(missing, "interpreter "+f.ELF.Interp)
		}
	}
	type obj struct {
		path string
		file *File
	}
	seen := map[string]bool{}
	queue := []obj{{p, f}}
	for len(queue) > 0 && len(seen) < maxLibraries {
		o := queue[0]
		queue = queue[1:]
		for _, lib := range o.file.ELF.Needed {
			lf, at := img.findLibrary(lib, o.path, o.file, f, musl)
			if lf == nil {
				item := lib
				if o.path != p {
					item += " (needed by " + o.path + ")"
				}
				if !slices.Contains(missing, item) {
					missing = append(missing, item)
				}
				continue
			}
			if !seen[at] {
				seen[at] = true
				found = append(found, library{lib, at})
				if lf.ELF != nil && lf.ELF.Err == "" {
					queue = append(queue, obj{at, lf})
				}
			}
		}
	}
	return found, missing
}

// findLibrary finds the library name that obj (at objPath) needs; exe is
// the executable that loads it. It returns the library and its path.
func (img *Image) findLibrary(name, objPath string, obj, exe *File, musl bool) (*File, string) {
	try := func(p string) (*File, string) {
		r, ok := img.resolvePath(p, 0)
		if !ok {
			return nil, ""
		}
		f := img.Files[r]
		if f == nil || !f.Regular() {
			return nil, ""
		}
		if f.ELF != nil && f.ELF.Err == "" && (f.ELF.Class != exe.ELF.Class || f.ELF.Machine != exe.ELF.Machine) {
			return nil, "" // the loader skips a library of another class
		}
		return f, r
	}
	if strings.Contains(name, "/") {
		if !strings.HasPrefix(name, "/") {
			name = path.Join(path.Dir(objPath), name)
		}
		return try(name)
	}
	origin := func(dirs []string) []string {
		var out []string
		for _, d := range dirs {
			d = strings.ReplaceAll(strings.ReplaceAll(d, "${ORIGIN}", "$ORIGIN"), "$ORIGIN", path.Dir(objPath))
			if !strings.Contains(d, "$") && d != "" {
				out = append(out, d)
			}
		}
		return out
	}
	var dirs []string
	if len(obj.ELF.RunPath) == 0 {
		dirs = append(dirs, origin(obj.ELF.RPath)...)
		if obj != exe {
			dirs = append(dirs, origin(exe.ELF.RPath)...)
		}
	}
	dirs = append(dirs, img.envList("LD_LIBRARY_PATH")...)
	dirs = append(dirs, origin(obj.ELF.RunPath)...)
	dirs = append(dirs, img.systemLibraryDirs(exe.ELF, musl)...)
	for _, d := range dirs {
		if f, at := try(path.Join(d, name)); f != nil {
			return f, at
		}
	}
	return nil, ""
}

// systemLibraryDirs returns the loader's own directories: musl's path
// file or defaults, or glibc's ld.so.conf plus its defaults.
func (img *Image) systemLibraryDirs(e *ELFInfo, musl bool) []string {
	if musl {
		for p, f := range img.Files {
			if strings.HasPrefix(p, "/etc/ld-musl-") && f.text != nil {
				return strings.FieldsFunc(string(f.text), func(r rune) bool { return r == ':' || r == '\n' || r == ' ' })
			}
		}
		return []string{"/lib", "/usr/local/lib", "/usr/lib"}
	}
	dirs := img.ldSoConf("/etc/ld.so.conf", 0)
	if tri := multiarch[e.Machine][e.Class]; tri != "" {
		dirs = append(dirs, "/lib/"+tri, "/usr/lib/"+tri)
	}
	if e.Class == elf.ELFCLASS64 {
		dirs = append(dirs, "/lib64", "/usr/lib64")
	}
	return append(dirs, "/lib", "/usr/lib")
}

// ldSoConf reads the directories of an ld.so.conf file and its includes.
func (img *Image) ldSoConf(p string, depth int) []string {
	f := img.Lookup(p)
	if f == nil || f.text == nil || depth > 4 {
		return nil
	}
	var dirs []string
	eachLine(f.text, func(line string) {
		line, _, _ = strings.Cut(line, "#")
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.HasPrefix(line, "include "):
			pattern := strings.TrimSpace(strings.TrimPrefix(line, "include "))
			if !strings.HasPrefix(pattern, "/") {
				pattern = path.Join(path.Dir(p), pattern)
			}
			var matches []string
			for q := range img.Files {
				if ok, _ := path.Match(pattern, q); ok {
					matches = append(matches, q)
				}
			}
			slices.Sort(matches)
			for _, m := range matches {
				dirs = append(dirs, img.ldSoConf(m, depth+1)...)
			}
		default:
			dirs = append(dirs, line)
		}
	})
	return dirs
}

// envList returns the directories of a colon-separated variable of the
// image's environment.
func (img *Image) envList(name string) []string {
	for _, kv := range img.Config.Config.Env {
		if v, ok := strings.CutPrefix(kv, name+"="); ok {
			return strings.FieldsFunc(v, func(r rune) bool { return r == ':' })
		}
	}
	return nil
}

// missingInterpreter checks a script's #! line.
func (img *Image) missingInterpreter(p, shebang string) []string {
	fields := strings.Fields(shebang)
	if len(fields) == 0 {
		return nil
	}
	interp := fields[0]
	if t := img.Lookup(interp); t == nil || !t.Executable() {
		return []string{"interpreter " + interp}
	}
	if path.Base(interp) != "env" {
		return nil
	}
	for _, a := range fields[1:] {
		if strings.HasPrefix(a, "-") || strings.Contains(a, "=") {
			continue // env's options (-S, -i) and assignments
		}
		if img.onPath(a) {
			return nil
		}
		return []string{"interpreter " + a + " (run by " + interp + ", not on PATH)"}
	}
	return nil
}

// onPath reports whether name is an executable in a directory of the
// image's PATH (or the default PATH when it sets none).
func (img *Image) onPath(name string) bool {
	if strings.Contains(name, "/") {
		t := img.Lookup(name)
		return t != nil && t.Executable()
	}
	dirs := img.envList("PATH")
	if dirs == nil {
		dirs = []string{"/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin"}
	}
	for _, d := range dirs {
		if t := img.Lookup(path.Join(d, name)); t != nil && t.Executable() {
			return true
		}
	}
	return false
}
