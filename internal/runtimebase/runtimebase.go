// Package runtimebase maps toolchain images to the images their builds'
// artifacts run on. It maps golang:1.22-bookworm to debian:bookworm-slim,
// node:20 to node:20-slim, maven:3.9-eclipse-temurin-17 to
// eclipse-temurin:17-jre.
//
// The table is data: a pattern, an image reference whose tag may hold
// wildcards, maps to a runtime base that may use what the wildcards
// matched. A project overrides or extends it from its configuration file.
//
// # Patterns
//
// A pattern is NAME or NAME:TAG. NAME is compared after normalisation, so
// "golang", "docker.io/golang" and "docker.io/library/golang" are the same
// name. A pattern without a tag matches the reference without a tag, with
// the tag "latest", or with only a digest; a pattern with a tag never
// matches "latest". In TAG, "*" matches one
// component of the tag: any run of characters without "-" (possibly
// empty). So "node:*" matches node:20 and node:lts but not node:20-slim,
// and "golang:*-bookworm" matches golang:1.22.3-bookworm.
//
// The base may refer to the text the wildcards matched as $1 to $9, in
// order: "node:*-bookworm" -> "node:$1-bookworm-slim". An empty base marks
// a toolchain image that has no supported runtime base (for example an
// Alpine variant): the rule then reports without a fix.
//
// When several patterns match, the one with the most literal characters
// wins; between equals, an override beats a built-in entry, then the
// smaller pattern in byte order wins.
package runtimebase

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/dockmend/dockmend/internal/imageref"
)

// builtin is the default table. Tags without a Debian release name follow
// the image's default release, which moves over time; the table assumes
// bookworm for them. The docs (docs/multistage.md) print this table.
var builtin = map[string]string{
	// Go: a binary needs only its C library and what ldd finds.
	"golang":               "debian:bookworm-slim",
	"golang:*":             "debian:bookworm-slim",
	"golang:bookworm":      "debian:bookworm-slim",
	"golang:bullseye":      "debian:bullseye-slim",
	"golang:trixie":        "debian:trixie-slim",
	"golang:*-bookworm":    "debian:bookworm-slim",
	"golang:*-bullseye":    "debian:bullseye-slim",
	"golang:*-buster":      "debian:buster-slim",
	"golang:*-trixie":      "debian:trixie-slim",
	"golang:alpine":        "",
	"golang:alpine*":       "",
	"golang:*-alpine":      "",
	"golang:*-alpine*":     "",
	"golang:*-windows*":    "",
	"golang:*-nanoserver*": "",
	// Rust.
	"rust":                 "debian:bookworm-slim",
	"rust:*":               "debian:bookworm-slim",
	"rust:*-slim":          "debian:bookworm-slim",
	"rust:*-bookworm":      "debian:bookworm-slim",
	"rust:*-slim-bookworm": "debian:bookworm-slim",
	"rust:*-bullseye":      "debian:bullseye-slim",
	"rust:*-slim-bullseye": "debian:bullseye-slim",
	"rust:*-trixie":        "debian:trixie-slim",
	"rust:*-slim-trixie":   "debian:trixie-slim",
	"rust:*-alpine":        "",
	"rust:*-alpine*":       "",
	"rust:alpine":          "",
	// GCC.
	"gcc":            "debian:bookworm-slim",
	"gcc:*":          "debian:bookworm-slim",
	"gcc:*-bookworm": "debian:bookworm-slim",
	"gcc:*-bullseye": "debian:bullseye-slim",
	"gcc:*-trixie":   "debian:trixie-slim",
	// buildpack-deps: the Debian and Ubuntu images with compilers and headers.
	"buildpack-deps":          "debian:bookworm-slim",
	"buildpack-deps:bookworm": "debian:bookworm-slim",
	"buildpack-deps:bullseye": "debian:bullseye-slim",
	"buildpack-deps:buster":   "debian:buster-slim",
	"buildpack-deps:trixie":   "debian:trixie-slim",
	"buildpack-deps:focal":    "ubuntu:focal",
	"buildpack-deps:jammy":    "ubuntu:jammy",
	"buildpack-deps:noble":    "ubuntu:noble",
	// Node: the slim variant of the same tag keeps node, npm and the release.
	"node":            "node:slim",
	"node:*":          "node:$1-slim",
	"node:*-bookworm": "node:$1-bookworm-slim",
	"node:*-bullseye": "node:$1-bullseye-slim",
	"node:*-buster":   "node:$1-buster-slim",
	"node:*-trixie":   "node:$1-trixie-slim",
	"node:bookworm":   "node:bookworm-slim",
	"node:bullseye":   "node:bullseye-slim",
	"node:trixie":     "node:trixie-slim",
	"node:alpine":     "",
	"node:alpine*":    "",
	"node:*-alpine":   "",
	"node:*-alpine*":  "",
	// Python: the slim variant of the same tag keeps the interpreter.
	"python":            "python:slim",
	"python:*":          "python:$1-slim",
	"python:*-bookworm": "python:$1-slim-bookworm",
	"python:*-bullseye": "python:$1-slim-bullseye",
	"python:*-buster":   "python:$1-slim-buster",
	"python:*-trixie":   "python:$1-slim-trixie",
	"python:bookworm":   "python:slim-bookworm",
	"python:bullseye":   "python:slim-bullseye",
	"python:trixie":     "python:slim-trixie",
	"python:alpine":     "",
	"python:alpine*":    "",
	"python:*-alpine":   "",
	"python:*-alpine*":  "",
	// Java: a JRE of the same major version.
	"maven":                                    "",
	"maven:*":                                  "",
	"maven:*-eclipse-temurin-*":                "eclipse-temurin:$2-jre",
	"maven:*-eclipse-temurin-*-focal":          "eclipse-temurin:$2-jre-focal",
	"maven:*-eclipse-temurin-*-jammy":          "eclipse-temurin:$2-jre-jammy",
	"maven:*-eclipse-temurin-*-noble":          "eclipse-temurin:$2-jre-noble",
	"maven:*-eclipse-temurin-*-alpine":         "",
	"maven:*-openjdk-*":                        "eclipse-temurin:$2-jre",
	"maven:*-openjdk-*-slim":                   "eclipse-temurin:$2-jre",
	"maven:*-jdk-*":                            "eclipse-temurin:$2-jre",
	"maven:*-jdk-*-slim":                       "eclipse-temurin:$2-jre",
	"maven:*-amazoncorretto-*":                 "",
	"maven:*-ibmjava-*":                        "",
	"maven:*-sapmachine-*":                     "",
	"gradle":                                   "",
	"gradle:*":                                 "",
	"gradle:jdk*":                              "eclipse-temurin:$1-jre",
	"gradle:*-jdk*":                            "eclipse-temurin:$2-jre",
	"gradle:*-jdk*-focal":                      "eclipse-temurin:$2-jre-focal",
	"gradle:*-jdk*-jammy":                      "eclipse-temurin:$2-jre-jammy",
	"gradle:*-jdk*-noble":                      "eclipse-temurin:$2-jre-noble",
	"gradle:*-jdk*-alpine":                     "",
	"gradle:*-jdk*-graal":                      "",
	"eclipse-temurin":                          "eclipse-temurin:jre",
	"eclipse-temurin:*":                        "eclipse-temurin:$1-jre",
	"eclipse-temurin:*-jdk":                    "eclipse-temurin:$1-jre",
	"eclipse-temurin:*-jdk-focal":              "eclipse-temurin:$1-jre-focal",
	"eclipse-temurin:*-jdk-jammy":              "eclipse-temurin:$1-jre-jammy",
	"eclipse-temurin:*-jdk-noble":              "eclipse-temurin:$1-jre-noble",
	"eclipse-temurin:*-jdk-alpine":             "",
	"eclipse-temurin:*-jdk-ubi*":               "",
	"eclipse-temurin:*-jdk-windowsservercore*": "",
	"openjdk":                                  "",
	"openjdk:*":                                "eclipse-temurin:$1-jre",
	"openjdk:*-jdk":                            "eclipse-temurin:$1-jre",
	"openjdk:*-slim":                           "eclipse-temurin:$1-jre",
	"openjdk:*-jdk-slim":                       "eclipse-temurin:$1-jre",
	"openjdk:*-jdk-bullseye":                   "eclipse-temurin:$1-jre",
	"openjdk:*-jdk-slim-bullseye":              "eclipse-temurin:$1-jre",
	"openjdk:*-jdk-bookworm":                   "eclipse-temurin:$1-jre",
	"openjdk:*-jdk-slim-bookworm":              "eclipse-temurin:$1-jre",
	"openjdk:*-alpine":                         "",
	"openjdk:*-jdk-alpine":                     "",
	"openjdk:*-oracle":                         "",
	"openjdk:*-jdk-oracle":                     "",
	"amazoncorretto":                           "",
	"amazoncorretto:*":                         "",
	// .NET: the ASP.NET Core runtime image of the same version (it holds
	// the plain runtime too).
	"mcr.microsoft.com/dotnet/sdk:*":                    "mcr.microsoft.com/dotnet/aspnet:$1",
	"mcr.microsoft.com/dotnet/sdk:*-bookworm-slim":      "mcr.microsoft.com/dotnet/aspnet:$1-bookworm-slim",
	"mcr.microsoft.com/dotnet/sdk:*-jammy":              "mcr.microsoft.com/dotnet/aspnet:$1-jammy",
	"mcr.microsoft.com/dotnet/sdk:*-noble":              "mcr.microsoft.com/dotnet/aspnet:$1-noble",
	"mcr.microsoft.com/dotnet/sdk:*-alpine":             "",
	"mcr.microsoft.com/dotnet/sdk:*-alpine*":            "",
	"mcr.microsoft.com/dotnet/sdk:*-nanoserver*":        "",
	"mcr.microsoft.com/dotnet/sdk:*-windowsservercore*": "",
}

// Builtin returns a copy of the built-in table.
func Builtin() map[string]string { return maps.Clone(builtin) }

// Table is a compiled set of patterns. Its zero value matches nothing; use
// New.
type Table struct {
	entries []entry
	byRepo  map[string][]int // indexes in entries, by repo, in order
}

type entry struct {
	pattern  string
	repo     string         // normalised repository ("docker.io/library/golang")
	tag      *regexp.Regexp // nil: no tag, "latest" or digest only
	literals int            // literal characters, for specificity
	base     string
	override bool
}

// Match is the outcome of a lookup.
type Match struct {
	// Pattern is the table entry that matched.
	Pattern string
	// Base is the runtime base, with the wildcards filled in; "" when the
	// entry marks a toolchain image without a supported runtime base.
	Base string
	// Override reports whether the entry came from the overrides.
	Override bool
}

// New compiles the built-in table with overrides applied: an override with
// the same pattern as a built-in entry replaces it, others are added. An
// invalid pattern or base is an error naming it.
func New(overrides map[string]string) (*Table, error) {
	return compileTable(builtin, overrides, validBase)
}

// NewValues compiles a table of patterns (the same syntax) whose values are
// not image references but what valid accepts (an error otherwise): a
// configuration's map from images to their Debian release, say. Match.Base
// is then the value.
func NewValues(entries map[string]string, valid func(value string) error) (*Table, error) {
	return compileTable(nil, entries, func(pattern, value string, _ int) error {
		if err := valid(value); err != nil {
			return fmt.Errorf("%q for %q: %v", value, pattern, err)
		}
		return nil
	})
}

func compileTable(builtin, overrides map[string]string, valid func(pattern, value string, wildcards int) error) (*Table, error) {
	t := &Table{}
	var errs []error
	for _, src := range []struct {
		m        map[string]string
		override bool
	}{{builtin, false}, {overrides, true}} {
		for _, p := range slices.Sorted(maps.Keys(src.m)) {
			if !src.override {
				if _, ok := overrides[p]; ok {
					continue
				}
			}
			e, err := compile(p, src.m[p], valid)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			e.override = src.override
			t.entries = append(t.entries, e)
		}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	t.byRepo = map[string][]int{}
	for i, e := range t.entries {
		t.byRepo[e.repo] = append(t.byRepo[e.repo], i)
	}
	return t, nil
}

// MustNew is New for tables known to be valid; it panics on an error.
func MustNew(overrides map[string]string) *Table {
	t, err := New(overrides)
	if err != nil {
		panic(err)
	}
	return t
}

var (
	placeholderRE = regexp.MustCompile(`\$([1-9])`)
	// tagLiteralRE is what a tag pattern may hold between its wildcards.
	tagLiteralRE = regexp.MustCompile(`^[\w.-]*$`)
)

func compile(pattern, base string, valid func(pattern, value string, wildcards int) error) (entry, error) {
	e := entry{pattern: pattern, base: base}
	// A registry port also uses ':'; a tag never contains '/'.
	name, tag, hasTag := pattern, "", false
	if i := strings.LastIndexByte(pattern, ':'); i >= 0 && !strings.Contains(pattern[i:], "/") {
		name, tag, hasTag = pattern[:i], pattern[i+1:], true
	}
	ref, err := imageref.Parse(name)
	if err != nil || ref.Tag != "" || ref.Digest != "" {
		return e, fmt.Errorf("runtime base pattern %q: bad image name %q", pattern, name)
	}
	e.repo = ref.Repository()
	e.literals = len(e.repo)
	wild := 0
	if hasTag {
		if tag == "" {
			return e, fmt.Errorf("runtime base pattern %q: empty tag", pattern)
		}
		var re strings.Builder
		re.WriteString("^")
		for _, part := range strings.SplitAfter(tag, "*") {
			lit := strings.TrimSuffix(part, "*")
			if !tagLiteralRE.MatchString(lit) {
				return e, fmt.Errorf("runtime base pattern %q: bad tag %q", pattern, tag)
			}
			re.WriteString(regexp.QuoteMeta(lit))
			e.literals += len(lit)
			if strings.HasSuffix(part, "*") {
				re.WriteString(`([^-]*)`)
				wild++
			}
		}
		re.WriteString("$")
		e.tag = regexp.MustCompile(re.String())
		e.literals++ // the ':' makes a tagged pattern more specific than none
	}
	if err := valid(pattern, base, wild); err != nil {
		return e, err
	}
	return e, nil
}

// validBase checks a runtime base: "" (no fix), or an image reference
// whose $N placeholders name wildcards of the pattern.
func validBase(pattern, base string, wild int) error {
	if base == "" {
		return nil
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(base, -1) {
		if n, _ := strconv.Atoi(m[1]); n > wild {
			return fmt.Errorf("runtime base %q for %q: $%d but the pattern has %d wildcards", base, pattern, n, wild)
		}
	}
	probe := placeholderRE.ReplaceAllString(base, "x")
	if probe != "scratch" {
		if _, err := imageref.Parse(probe); err != nil {
			return fmt.Errorf("runtime base %q for %q: %v", base, pattern, err)
		}
	}
	return nil
}

// Lookup finds the runtime base for the image reference ref (as written in
// a FROM line, variables already expanded). ok is false when ref is not a
// toolchain image the table knows.
func (t *Table) Lookup(ref string) (m Match, ok bool) {
	r, err := imageref.Parse(ref)
	if err != nil {
		return Match{}, false
	}
	repo := r.Repository()
	tag := r.Tag
	if tag == imageref.DefaultTag {
		tag = "" // "latest" is what no tag means; only untagged patterns match it
	}
	best := -1
	var bestSub []string
	for _, i := range t.byRepo[repo] {
		e := t.entries[i]
		var sub []string
		if e.tag == nil {
			if tag != "" {
				continue
			}
		} else {
			if tag == "" {
				continue
			}
			sub = e.tag.FindStringSubmatch(tag)
			if sub == nil {
				continue
			}
		}
		if best < 0 || better(e, t.entries[best]) {
			best, bestSub = i, sub
		}
	}
	if best < 0 {
		return Match{}, false
	}
	e := t.entries[best]
	base := placeholderRE.ReplaceAllStringFunc(e.base, func(s string) string {
		n, _ := strconv.Atoi(s[1:])
		if n < len(bestSub) {
			return bestSub[n]
		}
		return ""
	})
	return Match{Pattern: e.pattern, Base: base, Override: e.override}, true
}

func better(a, b entry) bool {
	if a.literals != b.literals {
		return a.literals > b.literals
	}
	if a.override != b.override {
		return a.override
	}
	return a.pattern < b.pattern
}

// Entries returns the table's patterns and bases, sorted by pattern, with
// overrides applied.
func (t *Table) Entries() [][2]string {
	var out [][2]string
	for _, e := range t.entries {
		out = append(out, [2]string{e.pattern, e.base})
	}
	slices.SortFunc(out, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	return out
}
