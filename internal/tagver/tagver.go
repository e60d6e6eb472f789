// Package tagver reads image tags the way Docker Official Images and
// Renovate write them. A tag is a version or a word, then an optional variant
// suffix after the first hyphen ("3.12.8-slim-bookworm" is version
// 3.12.8, suffix "slim-bookworm"; "bookworm-slim" is the word "bookworm",
// suffix "slim"). The suffix is a compatibility family: a precise tag
// keeps it, and variants of an image differ in it.
package tagver

import (
	"cmp"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// Tag is a parsed tag.
type Tag struct {
	// Text is the tag as written.
	Text string
	// Head is the part before the first hyphen: "3.12.8", "bookworm",
	// "latest".
	Head string
	// Version holds Head's numbers when Head is a version ("3.12.8",
	// "v1.2"); nil otherwise.
	Version []int
	// Suffix is the part after the first hyphen: "slim-bookworm"; "" for
	// none.
	Suffix string
}

var versionRE = regexp.MustCompile(`^v?[0-9]+(\.[0-9]+)*$`)

// prerelease words: a suffix starting with one marks a prerelease stream.
var prerelease = []string{"rc", "alpha", "beta", "dev", "preview", "nightly", "snapshot", "pre"}

// Parse reads a tag.
func Parse(tag string) Tag {
	t := Tag{Text: tag}
	t.Head, t.Suffix, _ = strings.Cut(tag, "-")
	if versionRE.MatchString(t.Head) {
		for _, p := range strings.Split(strings.TrimPrefix(t.Head, "v"), ".") {
			n, err := strconv.Atoi(p)
			if err != nil || len(p) > 9 {
				t.Version = nil
				break
			}
			t.Version = append(t.Version, n)
		}
	}
	return t
}

// IsVersion reports whether the tag starts with a version.
func (t Tag) IsVersion() bool { return t.Version != nil }

// Prerelease reports whether the suffix marks a prerelease ("3.15-rc",
// "2.0-beta1").
func (t Tag) Prerelease() bool {
	first, _, _ := strings.Cut(t.Suffix, "-")
	first = strings.ToLower(first)
	for _, p := range prerelease {
		if strings.HasPrefix(first, p) {
			rest := first[len(p):]
			if rest == "" || strings.Trim(rest, "0123456789.") == "" {
				return true
			}
		}
	}
	return false
}

// Refines reports whether t is a more precise version of u with the same
// suffix: 3.12.8-slim refines 3.12-slim and 3-slim, not 3.12-alpine or
// 3.12.8-slim. Every plain version refines "latest" (and u's empty
// head, an untagged reference), and so does every version with the same
// suffix as a word tag such as "slim".
func (t Tag) Refines(u Tag) bool {
	if !t.IsVersion() || t.Suffix != u.Suffix {
		if u.IsVersion() || !t.IsVersion() {
			return false
		}
		// u is a word: "latest" or "" stands for the plain family, a
		// suffix word ("slim", "alpine") for that family.
		switch u.Head {
		case "", "latest":
			return t.Suffix == u.Suffix
		default:
			return t.Suffix == u.Head && u.Suffix == ""
		}
	}
	if !u.IsVersion() {
		switch u.Head {
		case "", "latest":
			return true
		}
		return false
	}
	if len(t.Version) <= len(u.Version) {
		return false
	}
	return slices.Equal(t.Version[:len(u.Version)], u.Version)
}

// Compare orders versions: more components first, then higher numbers;
// for sorting candidates most precise and newest first. Non-versions sort
// last, by text.
func Compare(a, b Tag) int {
	if c := cmp.Compare(boolInt(b.IsVersion()), boolInt(a.IsVersion())); c != 0 {
		return c
	}
	if c := cmp.Compare(len(b.Version), len(a.Version)); c != 0 {
		return c
	}
	if c := slices.Compare(b.Version, a.Version); c != 0 {
		return c
	}
	return cmp.Compare(a.Text, b.Text)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
