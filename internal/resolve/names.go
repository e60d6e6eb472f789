package resolve

import (
	"fmt"
	"net"
	"net/url"
	"path"
	"strings"

	"github.com/dockmend/dockmend/internal/imageref"
	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// dockerHub is how the canonical names this package produces spell Docker
// Hub, as internal/imageref does; go-containerregistry spells it
// name.DefaultRegistry.
const dockerHub = imageref.DockerHub

// canonicalRegistry maps a registry host to the key used for mirrors and
// names: the Docker Hub aliases become "docker.io", other hosts are
// lower-cased.
func canonicalRegistry(host string) string {
	host = strings.ToLower(host)
	switch host {
	case "docker.io", "index.docker.io", "registry-1.docker.io":
		return dockerHub
	}
	return host
}

// ref is a parsed image reference.
type ref struct {
	// written is the reference as the caller gave it.
	written string
	// registry is the canonical registry ("docker.io", "ghcr.io", ...).
	registry string
	// repo is the repository path ("library/python").
	repo string
	// tag is the tag ("latest" when none was written).
	tag string
	// digest is the digest written after '@', if any.
	digest string
	// tagged is true when a tag was written (else tag is "latest").
	tagged bool
}

// name returns the canonical name with the tag: "docker.io/library/python:3.12".
func (r ref) name() string { return r.registry + "/" + r.repo + ":" + r.tag }

// key returns the cache key of a tag or digest in r's repository.
func (r ref) key(id string) string {
	if strings.Contains(id, ":") {
		return r.repository() + "@" + id
	}
	return r.repository() + ":" + id
}

// repository returns the canonical repository: "docker.io/library/python".
func (r ref) repository() string { return r.registry + "/" + r.repo }

// Normalize returns the canonical name of an image reference as written in
// a Dockerfile: Docker Hub's aliases become "docker.io", single-segment Hub
// names get "library/", a missing tag becomes "latest", and a digest after
// '@' is dropped. "python:3.12", "docker.io/python:3.12" and
// "registry-1.docker.io/library/python:3.12@sha256:…" all give
// "docker.io/library/python:3.12". These names key the per-run cache and the
// lock file.
func Normalize(reference string) (string, error) {
	r, err := parseRef(reference)
	if err != nil {
		return "", err
	}
	if r.digest != "" && !r.tagged {
		return "", fmt.Errorf("image reference %q has a digest but no tag", reference)
	}
	return r.name(), nil
}

func parseRef(s string) (ref, error) {
	r := ref{written: s}
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return r, fmt.Errorf("empty image reference")
	case strings.Contains(s, "$"):
		return r, fmt.Errorf("image reference %q contains a variable", s)
	}
	base, dgst, hasDigest := strings.Cut(s, "@")
	if hasDigest {
		if _, err := v1.NewHash(dgst); err != nil {
			return r, fmt.Errorf("image reference %q: invalid digest: %w", s, err)
		}
		r.digest = dgst
	}
	// imageref knows "docker.io" and "index.docker.io" as Docker Hub (and
	// then adds "library/"), but not "registry-1.docker.io".
	if host, rest, ok := strings.Cut(base, "/"); ok && strings.EqualFold(host, "registry-1.docker.io") {
		base = "docker.io/" + rest
	}
	p, err := imageref.Parse(base)
	if err != nil {
		return r, fmt.Errorf("parsing image reference %q: %w", s, err)
	}
	r.tagged = p.Tag != ""
	r.registry = canonicalRegistry(p.Domain)
	r.repo = p.Path
	r.tag = p.TagOrDefault()
	return r, nil
}

// mirror is where a registry is looked up instead.
type mirror struct {
	// scheme is "http", "https" or "" (go-containerregistry's default:
	// https, with plain HTTP for loopback).
	scheme string
	// host is host[:port].
	host string
	// prefix is a repository path prefix ("" or "dockerhub-proxy").
	prefix string
}

// ParseMirror splits a --registry-mirror value, "registry=target", as in
// "docker.io=http://127.0.0.1:5000". The target is [scheme://]host[:port]
// with an optional path prefix ("https://harbor.example/dockerhub-proxy"
// looks up "python:3.12" as "dockerhub-proxy/library/python:3.12").
func ParseMirror(spec string) (registry, target string, err error) {
	registry, target, ok := strings.Cut(spec, "=")
	if !ok || registry == "" || target == "" {
		return "", "", fmt.Errorf("registry mirror %q: want registry=target, such as docker.io=http://127.0.0.1:5000", spec)
	}
	return registry, target, nil
}

func parseMirrorTarget(target string) (mirror, error) {
	var m mirror
	s := target
	if i := strings.Index(s, "://"); i >= 0 {
		m.scheme = strings.ToLower(s[:i])
		if m.scheme != "http" && m.scheme != "https" {
			return m, fmt.Errorf("registry mirror %q: scheme must be http or https", target)
		}
		s = s[i+3:]
	}
	host, prefix, _ := strings.Cut(s, "/")
	if strings.Contains(host, "@") {
		return m, fmt.Errorf("registry mirror: credentials in the URL are not supported; use the Docker config")
	}
	u, err := url.Parse("//" + host)
	if err != nil || u.Host != host || host == "" {
		return m, fmt.Errorf("registry mirror %q: invalid host %q", target, host)
	}
	m.host = strings.ToLower(host)
	m.prefix = strings.Trim(prefix, "/")
	if m.prefix != "" && path.Clean(m.prefix) != m.prefix {
		return m, fmt.Errorf("registry mirror %q: invalid path %q", target, prefix)
	}
	return m, nil
}

// isLoopback reports whether host (with or without port) names this
// machine: "localhost", 127.0.0.0/8 or ::1.
func isLoopback(host string) bool {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	host = strings.Trim(host, "[]")
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
