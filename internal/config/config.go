// Package config reads .dockmend.yaml, dockmend's configuration file, and
// finds the one that applies to a Dockerfile; where there is none, it
// reads hadolint's .hadolint.yaml instead.
//
// A Dockerfile's configuration is the nearest .dockmend.yaml (or
// .dockmend.yml) found in its directory or an ancestor. The search stops
// after a directory that holds .git (the root of a repository), so a
// repository is never configured from outside it, or at the file system
// root. When it finds none, the same search looks for hadolint's
// .hadolint.yaml (or .hadolint.yml), whose ignored checks, failure
// threshold, level overrides and trusted registries mean the same to
// dockmend. docs/config.md documents every key.
package config

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/dockmend/dockmend/internal/regfile"
	"github.com/dockmend/dockmend/internal/severity"
)

// FileName is the name of the configuration file; AltFileName is read
// the same way, and one directory may not hold both.
const (
	FileName    = ".dockmend.yaml"
	AltFileName = ".dockmend.yml"
)

// MaxSize is the largest configuration file read, in bytes. A larger
// file, or one that is not a regular file (a FIFO, a link to a device),
// is an error, so that a hostile repository cannot exhaust memory or
// block a run.
const MaxSize = 1 << 20

// Config is one configuration file, or the settings given on the command
// line. A nil pointer, nil slice or nil map means "not set": the value of a
// less specific source, or the default, applies.
type Config struct {
	// Path is the file the configuration was read from; empty for flags.
	Path string `yaml:"-"`
	// Dir is the directory that relative paths and exclude patterns are
	// resolved against: the directory holding Path.
	Dir string `yaml:"-"`

	// Select names the rules to run instead of the default ones.
	Select []string `yaml:"select"`
	// Ignore names rules not to run.
	Ignore []string `yaml:"ignore"`
	// UnsafeFixes applies fixes that may change what the build produces.
	UnsafeFixes *bool `yaml:"unsafe-fixes"`
	// Exclude holds glob patterns of files that directory searches skip.
	Exclude []string `yaml:"exclude"`
	// Pin, when false, turns the pin rule off.
	Pin *bool `yaml:"pin"`
	// RegistryMirrors maps a registry host to a mirror that is asked
	// instead when resolving digests.
	RegistryMirrors map[string]string `yaml:"registry-mirrors"`
	// InsecureRegistries are hosts reached over plain HTTP.
	InsecureRegistries []string `yaml:"insecure-registries"`
	// Platform is the os/arch[/variant] whose manifest digests are pinned
	// instead of index digests.
	Platform string `yaml:"platform"`
	// Lockfile is the digest lock file, relative to Dir.
	Lockfile string `yaml:"lockfile"`
	// Concurrency bounds the registry lookups in flight; 0 means unset.
	Concurrency int `yaml:"concurrency"`
	// BuildArgs give values to ARGs used in FROM lines.
	BuildArgs map[string]string `yaml:"build-args"`
	// BuildContexts name the build's named contexts (docker build
	// --build-context NAME=...): references to them are not images and
	// are not pinned. An entry is NAME, or NAME=VALUE as docker's flag
	// takes it (the value is ignored).
	BuildContexts []string `yaml:"build-contexts"`
	// RuntimeBases adds to and overrides the multistage rule's table from
	// toolchain images to the runtime base of the new final stage
	// ("golang:*-bookworm": "debian:bookworm-slim").
	RuntimeBases map[string]string `yaml:"runtime-bases"`
	// Releases tells the multistage rule the Debian release of images
	// whose tag does not say it ("python:*-slim": "bookworm").
	Releases map[string]string `yaml:"releases"`
	// CacheMounts makes the apt, npm, yarn and pip rules fix with BuildKit
	// cache mounts (RUN --mount=type=cache) instead of removing the
	// package lists and caches.
	CacheMounts *bool `yaml:"cache-mounts"`
	// Verify configures dockmend verify per Dockerfile (see VerifyFor).
	Verify map[string]Verify `yaml:"verify"`
	// Levels overrides the level of findings, by rule name or check id
	// ("multistage": info, "DL3015": style).
	Levels map[string]severity.Level `yaml:"levels"`
	// FailureThreshold is the lowest level of finding that makes check
	// fail (exit 1); severity.None never fails. Nil means unset.
	FailureThreshold *severity.Level `yaml:"failure-threshold"`
	// TrustedRegistries, when not empty, are the only registries the pin
	// rule looks images up in (hostnames, "*.example.com"); an image of
	// another registry is a finding (DL3026, as hadolint reports it).
	TrustedRegistries []string `yaml:"trusted-registries"`
	// Hadolint reports that the configuration was read from hadolint's
	// configuration file.
	Hadolint bool `yaml:"-"`

	lines map[string]int // line of each top-level key
}

// Load reads and parses the configuration file at path, which must be a
// regular file of at most MaxSize bytes.
func Load(path string) (*Config, error) {
	data, err := regfile.Read(path, MaxSize)
	if err != nil {
		return nil, err // names path
	}
	return Parse(path, data)
}

// Parse parses data, the content of the configuration file at path. Errors
// name the file and, when known, the line: "path:line: message". Unknown
// keys and values of the wrong type are errors.
func Parse(path string, data []byte) (*Config, error) {
	c := &Config{Path: path, Dir: filepath.Dir(path)}
	if err := checkLevels(path, data); err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(c); err != nil && err != io.EOF {
		return nil, yamlError(path, err)
	}
	if err := dec.Decode(new(yaml.Node)); err != io.EOF {
		return nil, fmt.Errorf("%s: more than one YAML document", path)
	}
	var node yaml.Node
	if err := yaml.Unmarshal(data, &node); err != nil {
		return nil, yamlError(path, err)
	}
	c.lines = keyLines(&node)
	if err := c.validate(); err != nil {
		return nil, err
	}
	return c, nil
}

var (
	yamlLineRe = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)
	unknownRe  = regexp.MustCompile(`^field (\S+) not found in type`)
)

// yamlError rewrites the errors of the yaml package as "path:line: text",
// one line per problem.
func yamlError(path string, err error) error {
	msgs := []string{err.Error()}
	var te *yaml.TypeError
	if errors.As(err, &te) {
		msgs = te.Errors
	}
	var errs []error
	for _, m := range msgs {
		sub := yamlLineRe.FindStringSubmatch(m)
		if sub == nil {
			errs = append(errs, fmt.Errorf("%s: %s", path, strings.TrimPrefix(m, "yaml: ")))
			continue
		}
		text := strings.Replace(sub[2], "into config.Config", "into a mapping of keys to values", 1)
		if u := unknownRe.FindStringSubmatch(text); u != nil {
			text = fmt.Sprintf("unknown key %q (see docs/config.md for the keys)", u[1])
		}
		errs = append(errs, fmt.Errorf("%s:%s: %s", path, sub[1], text))
	}
	return errors.Join(errs...)
}

// keyLines maps each top-level key of a YAML document to its line.
func keyLines(doc *yaml.Node) map[string]int {
	lines := map[string]int{}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return lines
	}
	m := doc.Content[0].Content
	for i := 0; i+1 < len(m); i += 2 {
		lines[m[i].Value] = m[i].Line
	}
	return lines
}

// flagName returns the command-line flag that sets key.
func flagName(key string) string {
	switch key {
	case "registry-mirrors":
		return "registry-mirror"
	case "insecure-registries":
		return "insecure-registry"
	case "build-args":
		return "build-arg"
	case "build-contexts":
		return "build-context"
	}
	return key
}

// Errorf returns an error about the value of key, naming the file and the
// line of the key when the configuration came from a file, or the flag
// ("--platform: ...") when it came from the command line.
func (c *Config) Errorf(key, format string, args ...any) error {
	msg := c.spelling(key) + ": " + fmt.Sprintf(format, args...)
	switch {
	case c.Path == "":
		return fmt.Errorf("--%s: %s", flagName(key), fmt.Sprintf(format, args...))
	case c.lines[key] > 0:
		return fmt.Errorf("%s:%d: %s", c.Path, c.lines[key], msg)
	default:
		return fmt.Errorf("%s: %s", c.Path, msg)
	}
}

var platformRe = regexp.MustCompile(`(?i)^[a-z0-9]+/[a-z0-9_]+(/[a-z0-9]+)?$`)

// validate checks the values that the yaml types do not.
func (c *Config) validate() error {
	var errs []error
	lists := []struct {
		key  string
		list []string
	}{{"select", c.Select}, {"ignore", c.Ignore}, {"exclude", c.Exclude}, {"insecure-registries", c.InsecureRegistries}}
	for _, l := range lists {
		if slices.Contains(l.list, "") {
			errs = append(errs, c.Errorf(l.key, "empty entry"))
		}
	}
	for _, p := range c.Exclude {
		if err := checkPattern(p); err != nil {
			errs = append(errs, c.Errorf("exclude", "%q: %v", p, err))
		}
	}
	if c.Platform != "" && !platformRe.MatchString(c.Platform) {
		errs = append(errs, c.Errorf("platform", "%q is not os/arch[/variant]", c.Platform))
	}
	if c.Concurrency < 0 {
		errs = append(errs, c.Errorf("concurrency", "must be at least 1, not %d", c.Concurrency))
	}
	for _, reg := range slices.Sorted(maps.Keys(c.RegistryMirrors)) {
		if url := c.RegistryMirrors[reg]; reg == "" || url == "" {
			errs = append(errs, c.Errorf("registry-mirrors", "%q: %q: registry and mirror must not be empty", reg, url))
		}
	}
	for _, bc := range c.BuildContexts {
		if name := ContextName(bc); name == "" || strings.ContainsAny(name, " \t\n") {
			errs = append(errs, c.Errorf("build-contexts", "%s is not a build context name", strconv.Quote(bc)))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.BuildArgs)) {
		if k == "" || strings.ContainsAny(k, "= \t") {
			errs = append(errs, c.Errorf("build-args", "%s is not an ARG name", strconv.Quote(k)))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(c.Levels)) {
		switch {
		case k == "":
			errs = append(errs, c.Errorf("levels", "empty rule or check id"))
		case c.Levels[k] == severity.None:
			errs = append(errs, c.Errorf("levels", "%s: a level is error, warning, info or style (ignore %s to drop its findings)", k, k))
		}
	}
	if slices.Contains(c.TrustedRegistries, "") {
		errs = append(errs, c.Errorf("trusted-registries", "empty entry"))
	}
	errs = append(errs, c.validateVerify()...)
	return errors.Join(errs...)
}

// Validate checks a configuration built from flags, as Parse checks one
// read from a file.
func (c *Config) Validate() error { return c.validate() }

// ContextName returns the name of a build-contexts entry: NAME, or the
// NAME of NAME=VALUE.
func ContextName(entry string) string {
	name, _, _ := strings.Cut(entry, "=")
	return strings.TrimSpace(name)
}

// ContextNames returns the names of the BuildContexts entries, without
// duplicates, in order.
func (c *Config) ContextNames() []string {
	var out []string
	for _, bc := range c.BuildContexts {
		if name := ContextName(bc); name != "" && !slices.Contains(out, name) {
			out = append(out, name)
		}
	}
	return out
}

// PinEnabled reports whether the pin rule may run: Pin is unset or true.
func (c *Config) PinEnabled() bool { return c.Pin == nil || *c.Pin }

// CacheMountsEnabled reports whether CacheMounts is set and true.
func (c *Config) CacheMountsEnabled() bool { return c.CacheMounts != nil && *c.CacheMounts }

// UnsafeFixesEnabled reports whether UnsafeFixes is set and true.
func (c *Config) UnsafeFixesEnabled() bool { return c.UnsafeFixes != nil && *c.UnsafeFixes }

// LockfilePath returns Lockfile resolved against Dir, or "" when unset.
func (c *Config) LockfilePath() string {
	if c.Lockfile == "" || filepath.IsAbs(c.Lockfile) || c.Path == "" {
		return c.Lockfile
	}
	return filepath.Join(c.Dir, c.Lockfile)
}

// Merge returns base with the values set in over replacing base's. Maps
// are merged entry by entry, over's entries winning; every other set value
// replaces base's whole. Path and Dir stay base's, so that relative paths
// and exclude patterns keep resolving against the configuration file.
// Either may be nil.
func Merge(base, over *Config) *Config {
	if base == nil {
		base = &Config{}
	}
	out := *base
	if over == nil {
		return &out
	}
	if over.Select != nil {
		out.Select = over.Select
	}
	if over.Ignore != nil {
		out.Ignore = over.Ignore
	}
	if over.UnsafeFixes != nil {
		out.UnsafeFixes = over.UnsafeFixes
	}
	if over.Exclude != nil {
		out.Exclude = over.Exclude
	}
	if over.Pin != nil {
		out.Pin = over.Pin
	}
	out.RegistryMirrors = mergeMaps(base.RegistryMirrors, over.RegistryMirrors)
	if over.InsecureRegistries != nil {
		out.InsecureRegistries = over.InsecureRegistries
	}
	if over.Platform != "" {
		out.Platform = over.Platform
	}
	if over.Lockfile != "" {
		out.Lockfile = over.Lockfile
		if base.Path != "" && !filepath.IsAbs(over.Lockfile) {
			// A flag's path is relative to the working directory.
			if abs, err := filepath.Abs(over.Lockfile); err == nil {
				out.Lockfile = abs
			}
		}
	}
	if over.Concurrency != 0 {
		out.Concurrency = over.Concurrency
	}
	out.BuildArgs = mergeMaps(base.BuildArgs, over.BuildArgs)
	if over.BuildContexts != nil {
		// Like build-args: the flags' names add to the file's.
		out.BuildContexts = append(slices.Clone(base.BuildContexts), over.BuildContexts...)
	}
	out.RuntimeBases = mergeMaps(base.RuntimeBases, over.RuntimeBases)
	out.Releases = mergeMaps(base.Releases, over.Releases)
	if over.CacheMounts != nil {
		out.CacheMounts = over.CacheMounts
	}
	out.Levels = mergeMaps(base.Levels, over.Levels)
	if over.FailureThreshold != nil {
		out.FailureThreshold = over.FailureThreshold
	}
	if over.TrustedRegistries != nil {
		out.TrustedRegistries = over.TrustedRegistries
	}
	return &out
}

func mergeMaps[V any](base, over map[string]V) map[string]V {
	if over == nil {
		return base
	}
	out := maps.Clone(base)
	if out == nil {
		out = map[string]V{}
	}
	maps.Copy(out, over)
	return out
}
