package imagediff

import (
	"archive/tar"
	"bufio"
	"bytes"
	"path"
	"strings"
)

// readPackages reads the dpkg or apk database kept by readContent: the
// installed packages, the files each owns, dpkg's MD5 sums and the links
// its alternatives system manages.
func (img *Image) readPackages() {
	img.owner = map[string]string{}
	img.records = map[string]*record{}
	img.listed = map[string]int{}
	img.md5sums = map[string]string{}
	img.managed = map[string]bool{}
	if st := img.Files["/var/lib/dpkg/status"]; st != nil && st.text != nil {
		img.PackageManager = "dpkg"
		img.Packages = parseDpkgStatus(st.text, img.md5sums, img)
	} else {
		for _, p := range []string{"/lib/apk/db/installed", "/usr/lib/apk/db/installed"} {
			if db := img.Files[p]; db != nil && db.text != nil {
				img.PackageManager = "apk"
				img.Packages = img.parseApk(db.text)
				break
			}
		}
	}
	for p, f := range img.Files {
		if f.text == nil {
			continue
		}
		dir, base := path.Split(p)
		switch dir {
		case "/var/lib/dpkg/info/":
			pkg, _, _ := strings.Cut(strings.TrimSuffix(strings.TrimSuffix(base, ".list"), ".md5sums"), ":")
			if _, ok := img.Packages[pkg]; !ok {
				continue // the leftovers of a removed package
			}
			if strings.HasSuffix(base, ".list") {
				img.listed[pkg] = max(img.listed[pkg], f.Layer)
				eachLine(f.text, func(line string) {
					if line != "/." && strings.HasPrefix(line, "/") {
						img.own(img.canonical(line), pkg)
					}
				})
			} else {
				eachLine(f.text, func(line string) {
					sum, file, ok := strings.Cut(line, "  ")
					if ok {
						img.md5sums[img.canonical("/"+strings.TrimPrefix(file, "/"))] = sum
					}
				})
			}
		case "/var/lib/dpkg/alternatives/":
			img.readAlternative(base, f.text)
		}
	}
}

// parseDpkgStatus returns the installed packages and versions of a dpkg
// status file, and adds the MD5 sums of their configuration files.
func parseDpkgStatus(data []byte, md5sums map[string]string, img *Image) map[string]string {
	pkgs := map[string]string{}
	for _, para := range bytes.Split(data, []byte("\n\n")) {
		var name, status, version string
		var conffiles []string
		rec := &record{}
		inConf := false
		eachLine(para, func(line string) {
			if strings.HasPrefix(line, " ") {
				if inConf {
					conffiles = append(conffiles, strings.TrimSpace(line))
				}
				return
			}
			inConf = false
			k, v, _ := strings.Cut(line, ":")
			v = strings.TrimSpace(v)
			switch k {
			case "Package":
				name = v
			case "Status":
				status = v
			case "Version":
				version = v
			case "Conffiles":
				inConf = true
			case "Essential":
				rec.required = rec.required || v == "yes"
			case "Priority":
				rec.required = rec.required || v == "required"
			case "Depends", "Pre-Depends":
				rec.depends = append(rec.depends, parseDepends(v)...)
			case "Provides":
				for _, alt := range parseDepends(v) {
					rec.provides = append(rec.provides, alt...)
				}
			}
		})
		if name == "" || !strings.HasSuffix(status, " installed") || strings.HasSuffix(status, "not-installed") {
			continue
		}
		pkgs[name] = version
		img.records[name] = rec
		for _, c := range conffiles {
			f := strings.Fields(c)
			if len(f) >= 2 {
				md5sums[img.canonical(f[0])] = f[1]
			}
		}
	}
	return pkgs
}

// record is what dpkg's status file says of an installed package, beyond
// its version.
type record struct {
	required bool       // Essential, or priority required
	depends  [][]string // Depends and Pre-Depends: each a list of alternatives
	provides []string   // the virtual packages it provides
}

// maxDepends bounds the dependencies read of one package.
const maxDepends = 1024

// parseDepends reads a dpkg relationship field ("libc6 (>= 2.34), debconf
// | debconf-2.0, python3:any"): the package names of each relation, in
// order, without versions or architecture qualifiers.
func parseDepends(v string) [][]string {
	var out [][]string
	for i, rel := range strings.Split(v, ",") {
		if i == maxDepends {
			break
		}
		var alts []string
		for _, alt := range strings.Split(rel, "|") {
			name, _, _ := strings.Cut(strings.TrimSpace(alt), " ")
			name, _, _ = strings.Cut(name, "(")
			name, _, _ = strings.Cut(name, ":")
			if name != "" {
				alts = append(alts, name)
			}
		}
		if len(alts) > 0 {
			out = append(out, alts)
		}
	}
	return out
}

// parseApk reads apk's installed database: packages, versions and files.
func (img *Image) parseApk(data []byte) map[string]string {
	pkgs := map[string]string{}
	for _, para := range bytes.Split(data, []byte("\n\n")) {
		var name, dir string
		var files []string
		eachLine(para, func(line string) {
			k, v, ok := strings.Cut(line, ":")
			if !ok {
				return
			}
			switch k {
			case "P":
				name = v
			case "V":
				if name != "" {
					pkgs[name] = v
				}
			case "F":
				dir = "/" + v
				files = append(files, dir)
			case "R":
				files = append(files, path.Join(dir, v))
			}
		})
		for _, f := range files {
			if name != "" {
				img.own(img.canonical(f), name)
			}
		}
	}
	return pkgs
}

// own records that pkg owns the entry at the physical path p.
func (img *Image) own(p, pkg string) { img.owner[p] = pkg }

// readAlternative reads one file of /var/lib/dpkg/alternatives: the mode,
// the master link, then slave name and link pairs up to an empty line.
func (img *Image) readAlternative(name string, data []byte) {
	lines := strings.Split(string(data), "\n")
	if len(lines) < 2 {
		return
	}
	img.managed[img.canonical(lines[1])] = true
	img.managed[img.canonical("/etc/alternatives/"+name)] = true
	for i := 2; i+1 < len(lines) && lines[i] != ""; i += 2 {
		img.managed[img.canonical("/etc/alternatives/"+lines[i])] = true
		img.managed[img.canonical(lines[i+1])] = true
	}
}

func eachLine(data []byte, fn func(string)) {
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		fn(sc.Text())
	}
}

// Owner returns the package that owns the file at p ("" for none): the
// package database lists it, under p or under the path its directories'
// symbolic links lead to (/bin/ls is /usr/bin/ls on a merged /usr).
func (img *Image) Owner(p string) string { return img.owner[img.canonical(p)] }

// PackageFile reports whether the file at p is a package's file as the
// package shipped it: owned, and for a regular file with the content the
// package database records. A file that a step changed after the package
// installed it is not.
func (img *Image) PackageFile(p string) bool {
	c := img.canonical(p)
	if img.owner[c] == "" {
		return img.managed[c]
	}
	f := img.Files[c]
	if f == nil || !f.Regular() || img.PackageManager != "dpkg" {
		return true
	}
	sum, ok := img.md5sums[c]
	return !ok || f.md5 == "" || sum == f.md5
}

// canonical resolves the symbolic links among p's directories, so that a
// path names the entry the tree holds: /bin/ls is /usr/bin/ls when /bin
// links to usr/bin. The last element is not followed.
func (img *Image) canonical(p string) string {
	p = path.Clean("/" + p)
	dir, base := path.Split(p)
	if dir == "/" {
		return p
	}
	d, ok := img.resolvePath(path.Clean(dir), 0)
	if !ok {
		return p
	}
	return path.Join(d, base)
}

// resolvePath follows every symbolic link on p, the last element too, and
// returns the path of the entry it leads to.
func (img *Image) resolvePath(p string, hops int) (string, bool) {
	parts := strings.Split(strings.TrimPrefix(path.Clean(p), "/"), "/")
	cur := "/"
	for _, part := range parts {
		if part == "" {
			continue
		}
		next := path.Join(cur, part)
		f := img.Files[next]
		if f != nil && f.Type == tar.TypeSymlink {
			hops++
			if hops > maxLinkHops {
				return "", false
			}
			target := f.Link
			if !strings.HasPrefix(target, "/") {
				target = path.Join(cur, target)
			}
			resolved, ok := img.resolvePath(target, hops)
			if !ok {
				return "", false
			}
			next = resolved
		}
		cur = next
	}
	return cur, true
}

// Lookup returns the entry p leads to, following symbolic links, or nil.
func (img *Image) Lookup(p string) *File {
	r, ok := img.resolvePath(p, 0)
	if !ok {
		return nil
	}
	return img.Files[r]
}
