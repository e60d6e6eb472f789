package config

import (
	"errors"
	"fmt"
	"strings"

	"github.com/dockmend/dockmend/internal/severity"
)

// Flags are the settings of a command line, as its flags hold them. The
// settings it gives are merged over each file's configuration (Merge).
type Flags struct {
	// Given reports whether the flag of that name was on the command
	// line: a flag left at its default does not override a file's
	// setting.
	Given func(name string) bool

	Select, Ignore   []string
	UnsafeFixes      bool
	FailureThreshold severity.Level

	RegistryMirrors    []string // REGISTRY=URL, repeated
	BuildArgs          []string // NAME=VALUE, repeated
	InsecureRegistries []string
	BuildContexts      []string // NAME or NAME=VALUE
	Platform, Lockfile string
	Concurrency        int
	Offline, Refresh   bool
}

// Config returns the settings the flags give, as a configuration to merge
// over each file's. It checks the flags' values and their combinations;
// the errors name the flags.
func (f Flags) Config() (*Config, error) {
	c := &Config{}
	given := f.Given
	if given("select") {
		c.Select = append([]string{}, f.Select...)
	}
	if given("ignore") {
		c.Ignore = append([]string{}, f.Ignore...)
	}
	if given("unsafe-fixes") {
		c.UnsafeFixes = &f.UnsafeFixes
	}
	if given("failure-threshold") {
		c.FailureThreshold = &f.FailureThreshold
	}
	var errs []error
	var err error
	if c.RegistryMirrors, err = KeyValues("registry-mirror", f.RegistryMirrors); err != nil {
		errs = append(errs, err)
	}
	if c.BuildArgs, err = KeyValues("build-arg", f.BuildArgs); err != nil {
		errs = append(errs, err)
	}
	if given("insecure-registry") {
		c.InsecureRegistries = f.InsecureRegistries
	}
	if given("build-context") {
		c.BuildContexts = f.BuildContexts
	}
	c.Platform = f.Platform
	c.Lockfile = f.Lockfile
	if given("concurrency") {
		if f.Concurrency < 1 {
			errs = append(errs, fmt.Errorf("--concurrency: must be at least 1, not %d", f.Concurrency))
		}
		c.Concurrency = f.Concurrency
	}
	if f.Offline && f.Refresh {
		errs = append(errs, errors.New("--offline and --refresh cannot be used together: refreshing needs the registries"))
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c, c.Validate()
}

// KeyValues parses the values of a repeated KEY=VALUE flag; nil when
// there are none.
func KeyValues(flag string, list []string) (map[string]string, error) {
	if len(list) == 0 {
		return nil, nil
	}
	m := map[string]string{}
	for _, kv := range list {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, fmt.Errorf("--%s %q: want KEY=VALUE", flag, kv)
		}
		m[k] = v
	}
	return m, nil
}
