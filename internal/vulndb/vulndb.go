// Package vulndb matches the packages installed in an image against OSV
// advisories (ossf/osv-schema) for Debian, Ubuntu and Alpine. They are read
// from OSV's per-ecosystem all.zip files in a local directory: DIR/Debian/all.zip,
// DIR/Ubuntu/all.zip, DIR/Alpine/all.zip, the layout osv-scanner's offline
// mode uses. Update downloads them.
//
// Advisories are keyed by source package (dpkg's Source, apk's origin) and
// scoped by release ("Debian:12", "Ubuntu:22.04:LTS", "Alpine:v3.19");
// versions are compared the way dpkg and apk compare them. A zip is read
// once per release asked for, keeping only that release's advisories, and
// every entry read is bounded in size.
package vulndb

import (
	"archive/zip"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/dockmend/dockmend/internal/pkgdb"
)

// Ecosystems are the OSV ecosystems (all.zip folders) dockmend reads.
var Ecosystems = []string{"Debian", "Ubuntu", "Alpine"}

// maxEntry bounds one record in a zip; maxEntries the records of one zip.
const (
	maxEntry   = 4 << 20
	maxEntries = 2_000_000
)

// DB is a directory of OSV all.zip files. It is safe for concurrent use.
type DB struct {
	// Dir is the directory.
	Dir string
	// Updated is the modification time of the oldest zip: when it was
	// downloaded.
	Updated time.Time
	// Files are the zips found, relative to Dir.
	Files []string

	mu      sync.Mutex
	indexes map[string]*index // by release ecosystem: "Debian:12"
}

type index struct {
	once sync.Once
	pkgs map[string][]advisory
	err  error
}

// ErrNoDB is wrapped by Open's error when the directory holds no database.
var ErrNoDB = errors.New("no vulnerability database")

// Open opens the database in dir. It fails, wrapping ErrNoDB, when dir
// has none of the ecosystems' all.zip files.
func Open(dir string) (*DB, error) {
	db := &DB{Dir: dir, indexes: map[string]*index{}}
	for _, eco := range Ecosystems {
		p := filepath.Join(dir, eco, "all.zip")
		fi, err := os.Stat(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, err
		}
		db.Files = append(db.Files, filepath.Join(eco, "all.zip"))
		if db.Updated.IsZero() || fi.ModTime().Before(db.Updated) {
			db.Updated = fi.ModTime()
		}
	}
	if len(db.Files) == 0 {
		return nil, fmt.Errorf("%w in %s: it has none of %s", ErrNoDB, dir, strings.Join(zipNames(), ", "))
	}
	return db, nil
}

func zipNames() []string {
	var out []string
	for _, e := range Ecosystems {
		out = append(out, e+"/all.zip")
	}
	return out
}

// Release names the OSV ecosystem of a distribution release, from
// os-release's ID and VERSION_ID: "Debian:12", "Ubuntu:22.04", "Alpine:v3.19".
// ok is false for distributions without OSV data here.
func Release(osID, versionID string) (folder, ecosystem string, ok bool) {
	switch strings.ToLower(osID) {
	case "debian":
		major, _, _ := strings.Cut(versionID, ".")
		if major == "" {
			return "", "", false
		}
		return "Debian", "Debian:" + major, true
	case "ubuntu":
		if versionID == "" {
			return "", "", false
		}
		return "Ubuntu", "Ubuntu:" + versionID, true
	case "alpine":
		parts := strings.Split(versionID, ".")
		if len(parts) < 2 {
			return "", "", false
		}
		return "Alpine", "Alpine:v" + parts[0] + "." + parts[1], true
	}
	return "", "", false
}

// matchesEcosystem reports whether an affected entry's ecosystem is the
// release's: exactly, or Ubuntu's with ":LTS" (never Ubuntu Pro's).
func matchesEcosystem(got, want string) bool {
	return got == want || got == want+":LTS"
}

// Finding is one vulnerability of one source package.
type Finding struct {
	// ID is the vulnerability: the CVE when the advisory names one, else
	// the advisory's id.
	ID string `json:"id"`
	// Advisories are the OSV records that report it (DSA-…, DEBIAN-CVE-…).
	Advisories []string `json:"advisories"`
	// Summary is the advisory's summary, if any.
	Summary string `json:"summary,omitempty"`
	// Severity is the highest severity the advisories give.
	Severity Severity `json:"severity"`
	// Source and Version are the source package and its installed version.
	Source  string `json:"source"`
	Version string `json:"version"`
	// Packages are the installed binary packages built from Source.
	Packages []string `json:"packages"`
	// Fixed is the version that fixes it in the release, "" when the
	// release has no fix.
	Fixed string `json:"fixed,omitempty"`
}

// Result is the outcome of matching one image's packages.
type Result struct {
	// Ecosystem is the release matched against: "Debian:12".
	Ecosystem string `json:"ecosystem"`
	// Findings are sorted most serious first, fixable before not, then
	// by id and source package.
	Findings []Finding `json:"findings"`
	// Counts counts findings by severity.
	Counts map[string]int `json:"counts"`
	// Fixable counts findings with a fixed version in the release.
	Fixable int `json:"fixable"`
	// Skipped counts advisories whose versions could not be compared.
	Skipped int `json:"skipped,omitempty"`
}

// Match matches pkgs, installed on the release osID/versionID, against the
// database. An error means the release has no data here (not in the
// database, or a distribution OSV does not cover) or a zip is unreadable.
func (db *DB) Match(osID, versionID string, kind pkgdb.Kind, pkgs []pkgdb.Package) (*Result, error) {
	folder, eco, ok := Release(osID, versionID)
	if !ok {
		return nil, fmt.Errorf("no OSV ecosystem for %s %s", osID, versionID)
	}
	var c comparer = dpkgVersions{}
	if kind == pkgdb.Apk {
		c = apkVersions{}
	}
	idx, err := db.index(folder, eco)
	if err != nil {
		return nil, err
	}
	type key struct{ id, source string }
	found := map[key]*Finding{}
	res := &Result{Ecosystem: eco, Counts: map[string]int{}}
	bySource := map[string][]pkgdb.Package{}
	for _, p := range pkgs {
		bySource[p.Source+"\x00"+p.SourceVersion] = append(bySource[p.Source+"\x00"+p.SourceVersion], p)
	}
	for _, sk := range slices.Sorted(mapKeys(bySource)) {
		group := bySource[sk]
		src, ver := group[0].Source, group[0].SourceVersion
		for _, adv := range idx.pkgs[src] {
			hit, fixed, err := adv.affects(c, ver)
			if err != nil {
				res.Skipped++
				continue
			}
			if !hit {
				continue
			}
			id := cmp.Or(adv.cve, adv.id)
			k := key{id, src}
			f := found[k]
			if f == nil {
				f = &Finding{ID: id, Source: src, Version: ver}
				for _, p := range group {
					f.Packages = append(f.Packages, p.Name)
				}
				found[k] = f
			}
			if !slices.Contains(f.Advisories, adv.id) {
				f.Advisories = append(f.Advisories, adv.id)
			}
			f.Severity = max(f.Severity, adv.severity)
			if f.Summary == "" {
				f.Summary = adv.summary
			}
			if fixed != "" {
				if f.Fixed == "" {
					f.Fixed = fixed
				} else if n, err := c.compare(fixed, f.Fixed); err == nil && n > 0 {
					f.Fixed = fixed // the fix for every advisory
				}
			}
		}
	}
	for _, f := range found {
		slices.Sort(f.Advisories)
		res.Findings = append(res.Findings, *f)
		res.Counts[f.Severity.String()]++
		if f.Fixed != "" {
			res.Fixable++
		}
	}
	slices.SortFunc(res.Findings, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(b.Severity, a.Severity),
			cmp.Compare(boolInt(b.Fixed != ""), boolInt(a.Fixed != "")),
			cmp.Compare(b.ID, a.ID), // newer CVEs first
			cmp.Compare(a.Source, b.Source),
		)
	})
	return res, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// index returns the advisories of one release, reading its zip once.
func (db *DB) index(folder, eco string) (*index, error) {
	db.mu.Lock()
	idx, ok := db.indexes[eco]
	if !ok {
		idx = &index{}
		db.indexes[eco] = idx
	}
	db.mu.Unlock()
	idx.once.Do(func() {
		idx.pkgs, idx.err = load(filepath.Join(db.Dir, folder, "all.zip"), eco)
	})
	return idx, idx.err
}

// load reads the advisories of release eco from an all.zip.
func load(path, eco string) (map[string][]advisory, error) {
	zr, err := zip.OpenReader(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%w for %s: %s is missing", ErrNoDB, eco, path)
	}
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	defer zr.Close()
	if len(zr.File) > maxEntries {
		return nil, fmt.Errorf("%s: %d entries, more than the %d dockmend reads", path, len(zr.File), maxEntries)
	}
	out := map[string][]advisory{}
	buf := make([]byte, 0, 64<<10)
	for _, f := range zr.File {
		if !strings.HasSuffix(f.Name, ".json") || f.FileInfo().IsDir() {
			continue
		}
		if f.UncompressedSize64 > maxEntry {
			return nil, fmt.Errorf("%s: %s is %d bytes, more than the %d dockmend reads", path, f.Name, f.UncompressedSize64, maxEntry)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		buf, err = readAll(buf[:0], io.LimitReader(rc, maxEntry+1))
		rc.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		if len(buf) > maxEntry {
			return nil, fmt.Errorf("%s: %s is larger than the %d bytes dockmend reads", path, f.Name, maxEntry)
		}
		// Cheap filter before decoding: the release's name must appear.
		if !strings.Contains(string(buf), `"`+eco) {
			continue
		}
		var r record
		if err := json.Unmarshal(buf, &r); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
		}
		if r.Withdrawn != "" {
			continue
		}
		for i := range r.Affected {
			a := &r.Affected[i]
			if !matchesEcosystem(a.Package.Ecosystem, eco) || a.Package.Name == "" {
				continue
			}
			adv, err := toAdvisory(&r, a)
			if err != nil {
				return nil, fmt.Errorf("%s: %s: %w", path, f.Name, err)
			}
			out[a.Package.Name] = append(out[a.Package.Name], adv)
		}
	}
	return out, nil
}

func readAll(b []byte, r io.Reader) ([]byte, error) {
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}
