// Package distroinfo knows the release and end-of-life dates of the
// distributions base images are made from. Debian and Ubuntu come from Debian's
// distro-info-data package (its CSV files are embedded; go generate
// refreshes them, and data/VERSION records the package version), and Alpine
// from a table kept in this package (alpine.go), since no package ships
// Alpine's dates.
//
// A Release says when regular security support ends and what follows it;
// Release.Status turns that and today's date into a phase and a sentence,
// such as "regular security support ended 2026-07-11; LTS until
// 2028-06-30".
package distroinfo

//go:generate go run gen.go

import (
	"bytes"
	_ "embed"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strings"
	"sync"
	"time"
)

var (
	//go:embed data/debian.csv
	debianCSV []byte
	//go:embed data/ubuntu.csv
	ubuntuCSV []byte
	//go:embed data/VERSION
	dataVersion string
)

// The distributions this package knows, by their os-release ID.
const (
	Debian = "debian"
	Ubuntu = "ubuntu"
	Alpine = "alpine"
)

// Release is one release of a distribution.
type Release struct {
	// Distro is the os-release ID: "debian", "ubuntu" or "alpine".
	Distro string `json:"distro"`
	// Version is the release's version: "12", "22.04", "3.19". Empty for
	// Debian's rolling suites (sid, experimental).
	Version string `json:"version"`
	// Codename is the lower-case series name: "bookworm", "jammy"; empty
	// for Alpine.
	Codename string `json:"codename,omitempty"`
	// LTS is true for Ubuntu's long-term support releases.
	LTS bool `json:"lts,omitempty"`
	// Released is the release date; zero when not released yet.
	Released time.Time `json:"released,omitzero"`
	// EOL is the end of regular security support (Debian), of standard
	// support (Ubuntu), or of the main repository's support (Alpine).
	// Zero when not announced.
	EOL time.Time `json:"eol,omitzero"`
	// LTSEnd is the end of Debian's LTS, the free extended support that
	// follows EOL (zero for others).
	LTSEnd time.Time `json:"lts_end,omitzero"`
	// PaidEnd is the end of paid extended support: Debian's ELTS, Ubuntu
	// Pro's ESM. Zero when there is none.
	PaidEnd time.Time `json:"paid_end,omitzero"`
}

// Name returns the release for people: "Debian 12 (bookworm)", "Ubuntu
// 22.04 LTS (jammy)", "Alpine 3.19".
func (r Release) Name() string {
	var b strings.Builder
	switch r.Distro {
	case Debian:
		b.WriteString("Debian")
	case Ubuntu:
		b.WriteString("Ubuntu")
	case Alpine:
		b.WriteString("Alpine")
	default:
		b.WriteString(r.Distro)
	}
	if r.Version != "" {
		b.WriteString(" " + r.Version)
	}
	if r.LTS {
		b.WriteString(" LTS")
	}
	if r.Codename != "" {
		if r.Version == "" {
			b.WriteString(" " + r.Codename)
		} else {
			b.WriteString(" (" + r.Codename + ")")
		}
	}
	return b.String()
}

// Phase is where a release stands in its support life.
type Phase string

// The phases, from fresh to dead.
const (
	// Supported: regular security support, ending more than the warning
	// window away (or not announced).
	Supported Phase = "supported"
	// EndingSoon: regular security support ends within the warning window.
	EndingSoon Phase = "ending-soon"
	// Extended: regular support has ended; free LTS still gives security
	// updates (Debian LTS).
	Extended Phase = "extended"
	// EndOfLife: no free security support any more.
	EndOfLife Phase = "end-of-life"
	// Rolling: a development suite (sid) with no security support.
	Rolling Phase = "rolling"
)

// Status is a release's phase on a day, and a sentence that says it.
type Status struct {
	Phase Phase `json:"phase"`
	// Message says where the release stands, with the dates: "security
	// support until 2028-08-09 (LTS until 2030-06-30)".
	Message string `json:"message"`
}

// Status returns where r stands on the day of now; support ending within
// warn of now is EndingSoon.
func (r Release) Status(now time.Time, warn time.Duration) Status {
	day := func(t time.Time) string { return t.Format(time.DateOnly) }
	paid := ""
	if !r.PaidEnd.IsZero() {
		switch r.Distro {
		case Ubuntu:
			paid = fmt.Sprintf(" (ESM with Ubuntu Pro until %s)", day(r.PaidEnd))
		default:
			paid = fmt.Sprintf(" (paid ELTS until %s)", day(r.PaidEnd))
		}
	}
	if r.Version == "" && r.Distro == Debian {
		return Status{Rolling, r.Name() + " is a development suite without security support"}
	}
	switch {
	case r.EOL.IsZero():
		return Status{Supported, "supported; no end-of-life date announced yet"}
	case now.Before(r.EOL):
		what := "security support"
		if r.Distro == Ubuntu {
			what = "standard support"
		}
		msg := fmt.Sprintf("%s until %s", what, day(r.EOL))
		if !r.LTSEnd.IsZero() {
			msg += fmt.Sprintf(" (LTS until %s)", day(r.LTSEnd))
		}
		if r.EOL.Sub(now) <= warn {
			days := int(math.Ceil(r.EOL.Sub(now).Hours() / 24))
			return Status{EndingSoon, fmt.Sprintf("%s ends %s, in %d days", what, day(r.EOL), days) + strings.TrimPrefix(msg, what+" until "+day(r.EOL))}
		}
		return Status{Supported, msg}
	case !r.LTSEnd.IsZero() && now.Before(r.LTSEnd):
		return Status{Extended, fmt.Sprintf("regular security support ended %s; LTS until %s", day(r.EOL), day(r.LTSEnd))}
	case !r.LTSEnd.IsZero():
		return Status{EndOfLife, fmt.Sprintf("end of life since %s (LTS ended)%s", day(r.LTSEnd), paid)}
	case r.Distro == Ubuntu:
		return Status{EndOfLife, fmt.Sprintf("end of standard support since %s%s", day(r.EOL), paid)}
	}
	return Status{EndOfLife, fmt.Sprintf("end of life since %s%s", day(r.EOL), paid)}
}

// Data is a set of releases.
type Data struct {
	releases []Release
	// Source names where the data comes from, with versions.
	Source string
}

var defaultData = sync.OnceValues(func() (*Data, error) {
	return Load(debianCSV, ubuntuCSV)
})

// Default returns the embedded data: distro-info-data's CSV files and the
// Alpine table.
func Default() *Data {
	d, err := defaultData()
	if err != nil {
		panic("distroinfo: embedded data: " + err.Error()) // caught by the package's tests
	}
	return d
}

// Load reads distro-info-data's debian.csv and ubuntu.csv (either may be
// nil) and adds the Alpine table.
func Load(debian, ubuntu []byte) (*Data, error) {
	d := &Data{Source: strings.TrimSpace(dataVersion) + "; Alpine table of " + alpineTableDate}
	for _, f := range []struct {
		distro string
		data   []byte
	}{{Debian, debian}, {Ubuntu, ubuntu}} {
		if f.data == nil {
			continue
		}
		rs, err := parseCSV(f.distro, f.data)
		if err != nil {
			return nil, fmt.Errorf("%s.csv: %w", f.distro, err)
		}
		d.releases = append(d.releases, rs...)
	}
	d.releases = append(d.releases, alpineReleases()...)
	return d, nil
}

// parseCSV reads one distro-info-data file. Columns are found by header
// name: version, codename, series, created, release, eol, and eol-lts,
// eol-elts (Debian) or eol-server, eol-esm (Ubuntu).
func parseCSV(distro string, data []byte) ([]Release, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, err
	}
	col := map[string]int{}
	for i, h := range header {
		col[strings.TrimSpace(h)] = i
	}
	for _, need := range []string{"version", "series", "release", "eol"} {
		if _, ok := col[need]; !ok {
			return nil, fmt.Errorf("no %q column", need)
		}
	}
	var out []Release
	for line := 2; ; line++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		get := func(name string) string {
			if i, ok := col[name]; ok && i < len(rec) {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		date := func(name string) (time.Time, error) {
			s := get(name)
			if s == "" {
				return time.Time{}, nil
			}
			t, err := time.Parse(time.DateOnly, s)
			if err != nil {
				return t, fmt.Errorf("line %d: %s: %w", line, name, err)
			}
			return t, nil
		}
		rel := Release{Distro: distro, Codename: strings.ToLower(get("series"))}
		rel.Version, rel.LTS = strings.CutSuffix(get("version"), " LTS")
		var errs [4]error
		rel.Released, errs[0] = date("release")
		rel.EOL, errs[1] = date("eol")
		switch distro {
		case Debian:
			rel.LTSEnd, errs[2] = date("eol-lts")
			rel.PaidEnd, errs[3] = date("eol-elts")
		case Ubuntu:
			rel.PaidEnd, errs[3] = date("eol-esm")
		}
		for _, e := range errs {
			if e != nil {
				return nil, e
			}
		}
		out = append(out, rel)
	}
	return out, nil
}

// Releases returns every release known, Debian, Ubuntu then Alpine, oldest
// first within each.
func (d *Data) Releases() []Release { return append([]Release(nil), d.releases...) }

// Lookup finds the release an os-release file describes: its ID ("debian",
// "ubuntu", "alpine"), VERSION_ID ("12", "22.04", "3.19.1") and
// VERSION_CODENAME ("bookworm"), any of which may be empty. Alpine's
// patch version is dropped; Debian point releases ("12.5") match their
// major version.
func (d *Data) Lookup(id, versionID, codename string) (Release, bool) {
	id, codename = strings.ToLower(id), strings.ToLower(codename)
	switch id {
	case Alpine:
		parts := strings.Split(versionID, ".")
		if len(parts) >= 2 {
			versionID = parts[0] + "." + parts[1]
		}
	case Debian:
		versionID, _, _ = strings.Cut(versionID, ".")
	}
	for _, r := range d.releases {
		if r.Distro != id {
			continue
		}
		if (versionID != "" && r.Version == versionID) || (versionID == "" && codename != "" && r.Codename == codename) {
			return r, true
		}
	}
	return Release{}, false
}

// ByCodename finds a Debian or Ubuntu release by its codename alone
// ("bookworm", "jammy").
func (d *Data) ByCodename(codename string) (Release, bool) {
	codename = strings.ToLower(codename)
	for _, r := range d.releases {
		if r.Codename != "" && r.Codename == codename {
			return r, true
		}
	}
	return Release{}, false
}
