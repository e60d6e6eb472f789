package distroinfo

import (
	"os"
	"strings"
	"testing"
	"time"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestLookup(t *testing.T) {
	d := Default()
	for _, tc := range []struct {
		id, version, codename string
		want                  string
		eol                   string
	}{
		{"debian", "12", "bookworm", "Debian 12 (bookworm)", "2026-07-11"},
		{"debian", "12.5", "", "Debian 12 (bookworm)", "2026-07-11"},
		{"debian", "", "bookworm", "Debian 12 (bookworm)", "2026-07-11"},
		{"ubuntu", "22.04", "jammy", "Ubuntu 22.04 LTS (jammy)", "2027-06-01"},
		{"alpine", "3.19.1", "", "Alpine 3.19", "2025-11-01"},
		{"Alpine", "3.21", "", "Alpine 3.21", "2026-11-01"},
	} {
		r, ok := d.Lookup(tc.id, tc.version, tc.codename)
		if !ok {
			t.Errorf("Lookup(%q, %q, %q): not found", tc.id, tc.version, tc.codename)
			continue
		}
		if r.Name() != tc.want || r.EOL.Format(time.DateOnly) != tc.eol {
			t.Errorf("Lookup(%q, %q, %q) = %s, EOL %s; want %s, %s", tc.id, tc.version, tc.codename, r.Name(), r.EOL.Format(time.DateOnly), tc.want, tc.eol)
		}
	}
	if _, ok := d.Lookup("debian", "99", ""); ok {
		t.Error("found Debian 99")
	}
	if _, ok := d.Lookup("fedora", "40", ""); ok {
		t.Error("found Fedora")
	}
}

// The embedded CSVs are the ones of the Debian package this machine has,
// when it has one and the versions agree; a differing version means
// go generate should be run.
func TestEmbeddedMatchesInstalledPackage(t *testing.T) {
	installed, err := os.ReadFile("/usr/share/distro-info/debian.csv")
	if err != nil {
		t.Skip("distro-info-data is not installed here: /usr/share/distro-info/debian.csv is missing")
	}
	// Every release of the installed file is in the embedded one with
	// the same dates (the embedded one may be newer).
	inst, err := parseCSV(Debian, installed)
	if err != nil {
		t.Fatal(err)
	}
	emb, _ := parseCSV(Debian, debianCSV)
	have := map[string]Release{}
	for _, r := range emb {
		have[r.Codename] = r
	}
	for _, r := range inst {
		e, ok := have[r.Codename]
		if !ok {
			t.Errorf("embedded debian.csv lacks %s", r.Codename)
			continue
		}
		if !r.EOL.IsZero() && !e.EOL.Equal(r.EOL) {
			t.Errorf("%s: embedded EOL %v, installed %v (run go generate)", r.Codename, e.EOL, r.EOL)
		}
	}
	if !strings.HasPrefix(dataVersion, "distro-info-data ") {
		t.Errorf("data/VERSION = %q", dataVersion)
	}
}

func TestStatus(t *testing.T) {
	d := Default()
	bookworm, _ := d.Lookup("debian", "12", "")
	jammy, _ := d.Lookup("ubuntu", "22.04", "")
	bionic, _ := d.Lookup("ubuntu", "18.04", "")
	a319, _ := d.Lookup("alpine", "3.19", "")
	sid, _ := d.Lookup("debian", "", "sid")
	warn := 90 * 24 * time.Hour
	for _, tc := range []struct {
		r     Release
		now   string
		phase Phase
		msg   string
	}{
		{bookworm, "2025-01-01", Supported, "security support until 2026-07-11 (LTS until 2028-06-30)"},
		{bookworm, "2026-06-01", EndingSoon, "security support ends 2026-07-11, in 40 days (LTS until 2028-06-30)"},
		{bookworm, "2026-12-01", Extended, "regular security support ended 2026-07-11; LTS until 2028-06-30"},
		{bookworm, "2029-01-01", EndOfLife, "end of life since 2028-06-30 (LTS ended) (paid ELTS until 2033-06-30)"},
		{jammy, "2026-12-01", Supported, "standard support until 2027-06-01"},
		{bionic, "2026-12-01", EndOfLife, "end of standard support since 2023-05-31 (ESM with Ubuntu Pro until 2028-04-26)"},
		{a319, "2026-12-01", EndOfLife, "end of life since 2025-11-01"},
		{sid, "2026-12-01", Rolling, "Debian sid is a development suite without security support"},
	} {
		s := tc.r.Status(day(tc.now), warn)
		if s.Phase != tc.phase || s.Message != tc.msg {
			t.Errorf("%s on %s: %s %q; want %s %q", tc.r.Name(), tc.now, s.Phase, s.Message, tc.phase, tc.msg)
		}
	}
}

func TestLoadErrors(t *testing.T) {
	if _, err := Load([]byte("version,codename\n"), nil); err == nil {
		t.Error("a CSV without series/release/eol loaded")
	}
	if _, err := Load([]byte("version,codename,series,created,release,eol\n1,A,a,x,notadate,\n"), nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("bad date: %v", err)
	}
}
