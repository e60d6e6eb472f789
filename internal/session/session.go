// Package session is the library behind dockmend's check, diff, fix,
// migrate, base and verify commands, as crane's pkg/crane is behind its
// commands.
// It finds the Dockerfiles and the configuration of each, builds the rules
// of each configuration once, runs them over the files through
// internal/driver, and keeps the digest resolvers and lock files of the run.
// The commands in internal/cli only read flags and print.
package session

import (
	"fmt"
	"io"

	"github.com/dockmend/dockmend/internal/config"
	"github.com/dockmend/dockmend/internal/ruleset"
	"github.com/dockmend/dockmend/transform"
)

// Options configure a Session.
type Options struct {
	// Flags are the settings the command line gives: they are merged
	// over each file's configuration file. Nil means none.
	Flags *config.Config
	// ConfigFile, when not "", is read for every file instead of the
	// nearest .dockmend.yaml (--config).
	ConfigFile string
	// Offline resolves digests from the lock file only.
	Offline bool
	// Refresh lets the pin rule replace stale digests.
	Refresh bool
	// OfflineMissFails makes a reference the offline lock file does not
	// know a failure rather than a finding (migrate: no branch pins part
	// of a repository).
	OfflineMissFails bool
	// Rules are the rules to choose from, unconfigured; nil means every
	// rule (ruleset.All). Those that take settings are configured by
	// ruleset.Configure.
	Rules []*transform.Transformer
	// Stderr receives the messages of a run: warnings, errors, and the
	// registries that could not be reached.
	Stderr io.Writer
}

// Session is one command's run: the settings of the flags, the
// configuration files found, the rules of each configuration, and the
// digest resolvers and lock files, shared by all the files (and, in
// migrate, all the repositories) it processes. A Session may be used by
// several goroutines once made; Close releases it.
type Session struct {
	opts Options
	set  *settings
	reg  *registries
}

// New checks the options and returns a Session. A wrong setting among
// the flags is a *UsageError.
func New(opts Options) (*Session, error) {
	if opts.Flags == nil {
		opts.Flags = &config.Config{}
	}
	if opts.Stderr == nil {
		opts.Stderr = io.Discard
	}
	reg := newRegistries(opts.Offline, opts.Refresh)
	reg.offlineMissFails = opts.OfflineMissFails
	set, err := newSettings(opts, reg)
	if err != nil {
		return nil, err
	}
	return &Session{opts: opts, set: set, reg: reg}, nil
}

// Close releases the resolvers' connections.
func (s *Session) Close() { s.reg.close() }

// Known returns every rule, unconfigured: for listing and documenting.
func (s *Session) Known() []*transform.Transformer { return s.set.known }

// Selected returns the rules the flags select, before any configuration
// file is read.
func (s *Session) Selected() ([]*transform.Transformer, error) {
	return ruleset.Select(s.set.known, s.opts.Flags.Select, s.opts.Flags.Ignore)
}

// SaveLockfiles writes the lock files whose content changed. Offline runs
// record nothing, so there is nothing to save.
func (s *Session) SaveLockfiles() []error { return s.reg.save() }

// UsageError is a wrong command line: a flag's value, or a combination of
// flags or arguments. Commands exit with 2 and point to --help.
type UsageError struct{ Err error }

func (e UsageError) Error() string { return e.Err.Error() }

// usagef returns a UsageError.
func usagef(format string, args ...any) error { return UsageError{fmt.Errorf(format, args...)} }
