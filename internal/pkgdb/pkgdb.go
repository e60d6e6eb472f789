// Package pkgdb reads what is installed in a container image from its
// layers. It reads the dpkg status database (var/lib/dpkg/status, and the status.d/ directory that
// distroless images use instead), Alpine's apk database
// (lib/apk/db/installed) and os-release.
//
// Layers are untrusted and may be large. Scan streams them from the top
// layer down, reads tar entries by name into memory only when they are
// one of the few files it wants (each bounded in size), never writes
// anything to disk, applies whiteouts as overlay file systems do, and
// gives up with a reason once it has read a configured number of bytes.
package pkgdb

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"strings"
)

// Kind names a package database format.
type Kind string

const (
	// Dpkg is Debian's and Ubuntu's dpkg status database.
	Dpkg Kind = "dpkg"
	// Apk is Alpine's apk installed database.
	Apk Kind = "apk"
)

// Package is one installed package.
type Package struct {
	// Name is the binary package name.
	Name string `json:"name"`
	// Version is the installed version.
	Version string `json:"version"`
	// Arch is the architecture, if recorded.
	Arch string `json:"arch,omitempty"`
	// Source is the source package (dpkg's Source field, apk's origin),
	// or Name when the database names none: what advisories are keyed by.
	Source string `json:"source"`
	// SourceVersion is the source package's version: the version in
	// parentheses of a dpkg Source field (for binNMUs), else Version.
	SourceVersion string `json:"source_version"`
}

// OSRelease is what an os-release file says.
type OSRelease struct {
	// ID is the distribution's id: "debian", "ubuntu", "alpine".
	ID string `json:"id"`
	// VersionID is the release version: "12", "22.04", "3.19.1".
	VersionID string `json:"version_id,omitempty"`
	// VersionCodename is the codename: "bookworm", "jammy".
	VersionCodename string `json:"version_codename,omitempty"`
	// PrettyName is the name for people.
	PrettyName string `json:"pretty_name,omitempty"`
}

// maxLine bounds one line of a database file.
const maxLine = 1 << 20

// paragraphs calls f with the fields of each blank-line separated
// paragraph of an RFC 822-style file (dpkg's status, apk's installed with
// sep ':' and no continuation lines). Field names keep their case.
func paragraphs(r io.Reader, continuation bool, f func(fields map[string]string) error) error {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxLine)
	fields := map[string]string{}
	last := ""
	flush := func() error {
		if len(fields) == 0 {
			return nil
		}
		err := f(fields)
		fields, last = map[string]string{}, ""
		return err
	}
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), "\r")
		switch {
		case strings.TrimSpace(line) == "":
			if err := flush(); err != nil {
				return err
			}
		case continuation && (line[0] == ' ' || line[0] == '\t'):
			if last == "" {
				return fmt.Errorf("line %d: continuation line without a field", n)
			}
			// Only the first line of the fields dockmend reads matters.
		default:
			k, v, ok := strings.Cut(line, ":")
			if !ok || k == "" {
				return fmt.Errorf("line %d: not a field: %.40q", n, line)
			}
			last = k
			fields[k] = strings.TrimSpace(v)
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return flush()
}

// ParseDpkgStatus reads a dpkg status file (or one file of status.d/) and
// returns the installed packages: those whose Status says "installed", or,
// in a status.d file, that have no Status field at all.
func ParseDpkgStatus(r io.Reader) ([]Package, error) {
	var out []Package
	err := paragraphs(r, true, func(f map[string]string) error {
		name := f["Package"]
		if name == "" {
			return nil
		}
		if st, ok := f["Status"]; ok {
			words := strings.Fields(st)
			if len(words) != 3 || words[2] != "installed" {
				return nil
			}
		}
		p := Package{Name: name, Version: f["Version"], Arch: f["Architecture"], Source: name, SourceVersion: f["Version"]}
		if src := f["Source"]; src != "" {
			name, ver, ok := strings.Cut(src, " ")
			p.Source = name
			if ok {
				p.SourceVersion = strings.TrimSuffix(strings.TrimPrefix(strings.TrimSpace(ver), "("), ")")
			}
		}
		if p.Version == "" {
			return fmt.Errorf("package %s has no Version", name)
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// ParseApkInstalled reads Alpine's lib/apk/db/installed.
func ParseApkInstalled(r io.Reader) ([]Package, error) {
	var out []Package
	err := paragraphs(r, false, func(f map[string]string) error {
		name := f["P"]
		if name == "" {
			return nil
		}
		p := Package{Name: name, Version: f["V"], Arch: f["A"], Source: f["o"], SourceVersion: f["V"]}
		if p.Source == "" {
			p.Source = name
		}
		if p.Version == "" {
			return fmt.Errorf("package %s has no version (V:)", name)
		}
		out = append(out, p)
		return nil
	})
	return out, err
}

// ParseOSRelease reads an os-release file (KEY=value lines, values
// optionally quoted).
func ParseOSRelease(data []byte) OSRelease {
	var o OSRelease
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 4096), maxLine)
	for sc.Scan() {
		k, v, ok := strings.Cut(strings.TrimSpace(sc.Text()), "=")
		if !ok || strings.HasPrefix(k, "#") {
			continue
		}
		v = unquote(v)
		switch k {
		case "ID":
			o.ID = strings.ToLower(v)
		case "VERSION_ID":
			o.VersionID = v
		case "VERSION_CODENAME":
			o.VersionCodename = strings.ToLower(v)
		case "PRETTY_NAME":
			o.PrettyName = v
		}
	}
	return o
}

func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
		if v != "" {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`").Replace(v)
		}
	}
	return v
}
