package distroinfo

import "time"

// alpineTableDate is when the Alpine table below was last checked against
// Alpine's release page (alpinelinux.org/releases): update both together.
const alpineTableDate = "2026-12-01"

// alpineTable lists Alpine's stable branches: the release date of x.y.0
// and the end of support of the main repository, as Alpine's release page
// gives them. The community repository's support ends earlier, with the
// next release; Alpine does not publish that in a file any package ships.
var alpineTable = []struct {
	version, released, eol string
}{
	{"3.12", "2020-05-29", "2022-05-01"},
	{"3.13", "2021-01-14", "2022-11-01"},
	{"3.14", "2021-06-15", "2023-05-01"},
	{"3.15", "2021-11-24", "2023-11-01"},
	{"3.16", "2022-05-23", "2024-05-23"},
	{"3.17", "2022-11-22", "2024-11-22"},
	{"3.18", "2023-05-09", "2025-05-09"},
	{"3.19", "2023-12-07", "2025-11-01"},
	{"3.20", "2024-05-22", "2026-04-01"},
	{"3.21", "2024-12-05", "2026-11-01"},
	{"3.22", "2025-05-30", "2027-05-01"},
	{"3.23", "2025-12-03", "2027-11-01"},
}

func alpineReleases() []Release {
	out := make([]Release, 0, len(alpineTable))
	for _, a := range alpineTable {
		rel, err1 := time.Parse(time.DateOnly, a.released)
		eol, err2 := time.Parse(time.DateOnly, a.eol)
		if err1 != nil || err2 != nil {
			panic("distroinfo: bad date in the Alpine table for " + a.version) // caught by the tests
		}
		out = append(out, Release{Distro: Alpine, Version: a.version, Released: rel, EOL: eol})
	}
	return out
}
