// Package imageref parses container image references the way Docker does
// and keeps the user's spelling beside the normalised name.
//
// A reference is [domain/]path[:tag][@digest]. Docker Hub names are
// normalised like docker's distribution/reference: no domain, "docker.io"
// and "index.docker.io" all mean "docker.io", and a one-component path on
// Docker Hub gets the "library/" namespace. Nothing else is rewritten: the
// Ref keeps the text as written so that a rule can append a digest to it.
package imageref

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// DockerHub is the normalised domain of Docker Hub.
const DockerHub = "docker.io"

// DefaultTag is the tag Docker pulls when a reference has none.
const DefaultTag = "latest"

// Ref is a parsed image reference.
type Ref struct {
	// Text is the reference as written.
	Text string
	// Name is the repository part as written, without tag and digest
	// ("python", "docker.io/library/python", "localhost:5000/app").
	Name string
	// Tag is the tag, "" when there is none.
	Tag string
	// Digest is the digest ("sha256:<hex>"), "" when there is none.
	Digest string
	// Domain is the registry host, normalised: "docker.io" for Docker Hub.
	Domain string
	// Path is the repository path, normalised ("library/python").
	Path string
}

var (
	domainRE    = regexp.MustCompile(`^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?$`)
	componentRE = regexp.MustCompile(`^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$`)
	tagRE       = regexp.MustCompile(`^[\w][\w.-]{0,127}$`)
	digestRE    = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$`)
	sha256RE    = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
)

// maxNameLength bounds the repository name, as in distribution/reference.
const maxNameLength = 255

// ErrInvalid is wrapped by every parse error.
var ErrInvalid = errors.New("invalid image reference")

// Parse parses s as an image reference. It rejects what docker would
// reject: upper-case repository paths, bad tags, malformed digests, empty
// components.
func Parse(s string) (Ref, error) {
	r := Ref{Text: s}
	if s == "" {
		return r, fmt.Errorf("%w: empty", ErrInvalid)
	}
	rest := s
	if i := strings.IndexByte(rest, '@'); i >= 0 {
		r.Digest = rest[i+1:]
		rest = rest[:i]
		if !digestRE.MatchString(r.Digest) {
			return r, fmt.Errorf("%w %q: bad digest %q", ErrInvalid, s, r.Digest)
		}
	}
	// A tag follows the last ':' that has no '/' after it.
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.Contains(rest[i:], "/") {
		r.Tag = rest[i+1:]
		rest = rest[:i]
		if !tagRE.MatchString(r.Tag) {
			return r, fmt.Errorf("%w %q: bad tag %q", ErrInvalid, s, r.Tag)
		}
	}
	r.Name = rest
	if rest == "" {
		return r, fmt.Errorf("%w %q: no repository name", ErrInvalid, s)
	}
	domain, path := splitDomain(rest)
	if domain != "" && !domainRE.MatchString(domain) {
		return r, fmt.Errorf("%w %q: bad registry host %q", ErrInvalid, s, domain)
	}
	for _, c := range strings.Split(path, "/") {
		if !componentRE.MatchString(c) {
			if strings.ToLower(c) == c || !componentRE.MatchString(strings.ToLower(c)) {
				return r, fmt.Errorf("%w %q: bad repository component %q", ErrInvalid, s, c)
			}
			return r, fmt.Errorf("%w %q: repository name must be lowercase", ErrInvalid, s)
		}
	}
	if len(rest) > maxNameLength {
		return r, fmt.Errorf("%w %q: repository name longer than %d characters", ErrInvalid, s, maxNameLength)
	}
	switch domain {
	case "", "index.docker.io":
		domain = DockerHub
	}
	if domain == DockerHub && !strings.Contains(path, "/") {
		path = "library/" + path
	}
	r.Domain, r.Path = domain, path
	return r, nil
}

// splitDomain splits name like distribution/reference: the first component
// is a registry host when it contains '.' or ':', is "localhost", or has
// upper-case letters.
func splitDomain(name string) (domain, path string) {
	i := strings.IndexByte(name, '/')
	if i < 0 {
		return "", name
	}
	first := name[:i]
	if !strings.ContainsAny(first, ".:") && first != "localhost" && strings.ToLower(first) == first {
		return "", name
	}
	return first, name[i+1:]
}

// Repository returns the normalised repository: "docker.io/library/python".
func (r Ref) Repository() string { return r.Domain + "/" + r.Path }

// TagOrDefault returns the tag, or "latest" when there is none.
func (r Ref) TagOrDefault() string {
	if r.Tag == "" {
		return DefaultTag
	}
	return r.Tag
}

// Canonical returns the normalised name with its tag, the default tag when
// none is written, and without the digest:
// "docker.io/library/python:3.12". It is the key a resolver looks up.
func (r Ref) Canonical() string { return r.Repository() + ":" + r.TagOrDefault() }

// Familiar returns the name as written with its tag and without its digest:
// "python:3.12", "ubuntu".
func (r Ref) Familiar() string {
	if r.Tag == "" {
		return r.Name
	}
	return r.Name + ":" + r.Tag
}

// IsSHA256 reports whether d is "sha256:" followed by 64 lower-case hex
// digits, the only kind of digest dockmend writes.
func IsSHA256(d string) bool { return sha256RE.MatchString(d) }
