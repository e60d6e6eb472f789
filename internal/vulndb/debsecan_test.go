package vulndb

import (
	"bytes"
	"compress/zlib"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/pkgdb"
)

// TestDebsecanDifferential matches the fixture dpkg status against the
// fixture's Debian 12 advisories twice: with dockmend's matcher, and with
// Debian's debsecan reading the same advisories written in its feed
// format. Both must flag the same binary packages for the same
// vulnerabilities with the same fixed versions.
//
// Records debsecan's format cannot express (a last_affected range) and
// withdrawn records are left out of the feed; dockmend flags neither.
func TestDebsecanDifferential(t *testing.T) {
	bin, err := exec.LookPath("debsecan")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("debsecan is not installed; CI installs it (apt-get install debsecan in .ci/run)")
		}
		t.Skip("debsecan is not installed (apt-get install debsecan): the differential test needs it")
	}
	status, err := filepath.Abs("../pkgdb/testdata/dpkg-status")
	if err != nil {
		t.Fatal(err)
	}
	pkgs := dpkgPackages(t)

	feedDir := t.TempDir()
	feed := debsecanFeed(t, pkgs)
	var z bytes.Buffer
	zw := zlib.NewWriter(&z)
	zw.Write([]byte(feed))
	zw.Close()
	if err := os.WriteFile(filepath.Join(feedDir, "bookworm"), z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--suite", "bookworm", "--source", "file://"+feedDir+"/", "--status", status,
		"--format", "detail", "--config", "/dev/null", "--history", filepath.Join(t.TempDir(), "history"))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("debsecan: %v\n%s", err, out)
	}
	theirs := parseDebsecanDetail(string(out))

	db, err := Open(testDB(t))
	if err != nil {
		t.Fatal(err)
	}
	res, err := db.Match("debian", "12", pkgdb.Dpkg, pkgs)
	if err != nil {
		t.Fatal(err)
	}
	var ours []string
	for _, f := range res.Findings {
		for _, p := range f.Packages {
			ours = append(ours, fmt.Sprintf("%s %s fixed=%s", f.ID, p, f.Fixed))
		}
	}
	slices.Sort(ours)
	if len(ours) < 8 {
		t.Fatalf("the fixture flags only %d packages: too few to compare", len(ours))
	}
	t.Logf("debsecan flagged:\n  %s", strings.Join(theirs, "\n  "))
	if !slices.Equal(ours, theirs) {
		t.Errorf("dockmend and debsecan disagree\ndockmend:\n  %s\ndebsecan:\n  %s\nfeed:\n%s", strings.Join(ours, "\n  "), strings.Join(theirs, "\n  "), feed)
	}
}

// debsecanFeed writes the fixture's Debian 12 advisories in debsecan's
// "VERSION 1" format: vulnerability names, then one line per source
// package and vulnerability (flags: S source, urgency L/M/H, remote ?,
// F when fixed), then the binary packages of each source.
func debsecanFeed(t *testing.T, pkgs []pkgdb.Package) string {
	t.Helper()
	files, _ := filepath.Glob("testdata/osv/Debian/*.json")
	type line struct{ pkg, fixed, urgency string }
	byVuln := map[string]map[string]line{}
	for _, f := range files {
		data, _ := os.ReadFile(f)
		var r record
		if err := json.Unmarshal(data, &r); err != nil {
			t.Fatal(err)
		}
		if r.Withdrawn != "" {
			continue
		}
	affected:
		for i := range r.Affected {
			a := &r.Affected[i]
			if a.Package.Ecosystem != "Debian:12" {
				continue
			}
			adv, _ := toAdvisory(&r, a)
			fixed := ""
			for _, rg := range adv.ranges {
				for _, e := range rg {
					switch {
					case e.kind == "fixed":
						fixed = e.version
					case e.kind == "introduced" && e.version == "0":
					default:
						continue affected // not expressible in the feed
					}
				}
			}
			id := adv.cve
			if byVuln[id] == nil {
				byVuln[id] = map[string]line{}
			}
			l := byVuln[id][a.Package.Name]
			l.pkg, l.fixed = a.Package.Name, fixed
			if u := map[Severity]string{Low: "L", Medium: "M", High: "H", Critical: "H"}[adv.severity]; u != "" {
				l.urgency = u
			}
			byVuln[id][a.Package.Name] = l
		}
	}
	var b strings.Builder
	b.WriteString("VERSION 1\n")
	ids := slices.Sorted(mapKeys(byVuln))
	for _, id := range ids {
		fmt.Fprintf(&b, "%s,,synthetic advisory %s\n", id, id)
	}
	b.WriteString("\n")
	for i, id := range ids {
		for _, name := range slices.Sorted(mapKeys(byVuln[id])) {
			l := byVuln[id][name]
			flags := "S" + cmpOr(l.urgency, " ") + "?" + map[bool]string{true: "F", false: " "}[l.fixed != ""]
			fmt.Fprintf(&b, "%s,%d,%s,%s,\n", l.pkg, i, flags, l.fixed)
		}
	}
	b.WriteString("\n")
	bins := map[string][]string{}
	for _, p := range pkgs {
		bins[p.Source] = append(bins[p.Source], p.Name)
	}
	for _, src := range slices.Sorted(mapKeys(bins)) {
		fmt.Fprintf(&b, "%s,%s\n", src, strings.Join(bins[src], " "))
	}
	b.WriteString("\n")
	return b.String()
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// parseDebsecanDetail reads debsecan's --format detail output into
// "CVE binary fixed=VERSION" lines, VERSION empty when debsecan says no
// fix is available for the suite.
func parseDebsecanDetail(out string) []string {
	var lines []string
	for _, block := range strings.Split(strings.TrimSpace(out), "\n\n") {
		var id, bin, fixed string
		available := false
		for i, l := range strings.Split(block, "\n") {
			switch {
			case i == 0:
				id, _, _ = strings.Cut(l, " ")
			case strings.HasPrefix(l, "  installed: "):
				bin = strings.Fields(strings.TrimPrefix(l, "  installed: "))[0]
			case strings.HasPrefix(l, "  fixed in unstable: "):
				fixed = strings.Fields(strings.TrimPrefix(l, "  fixed in unstable: "))[1]
			case strings.HasPrefix(l, "  fix is available"):
				available = true
			}
		}
		if id == "" || bin == "" {
			continue
		}
		if !available {
			fixed = ""
		}
		lines = append(lines, fmt.Sprintf("%s %s fixed=%s", id, bin, fixed))
	}
	slices.Sort(lines)
	return lines
}
