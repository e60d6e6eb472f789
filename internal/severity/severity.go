// Package severity grades findings with hadolint's levels (error, warning,
// info, style) and decides --failure-threshold: whether a run with findings
// at some levels should fail.
//
// It is one small type so that every command that grades findings (check,
// base) parses the same names, orders them the same way and maps them to
// SARIF the same way.
package severity

import (
	"fmt"
	"strings"
)

// Level is how serious a finding is. Higher is more serious; the zero
// value is None, below every real level.
type Level int

// The levels, least serious first.
const (
	// None is no level: as a threshold it never fails.
	None Level = iota
	// Style is a matter of taste.
	Style
	// Info is advice worth knowing.
	Info
	// Warning is a problem that should be fixed.
	Warning
	// Error is a problem that must be fixed.
	Error
)

var names = [...]string{None: "none", Style: "style", Info: "info", Warning: "warning", Error: "error"}

// String returns the level's name: "error", "warning", "info", "style" or
// "none".
func (l Level) String() string {
	if l < None || l > Error {
		return fmt.Sprintf("Level(%d)", int(l))
	}
	return names[l]
}

// Parse reads a level name, case-insensitively. "ignore" is accepted as
// hadolint's spelling of "none".
func Parse(s string) (Level, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "ignore" {
		return None, nil
	}
	for l, n := range names {
		if n == s {
			return Level(l), nil
		}
	}
	return None, fmt.Errorf("unknown level %q (want error, warning, info, style or none)", s)
}

// Set implements pflag.Value, so a Level can be a flag.
func (l *Level) Set(s string) error {
	v, err := Parse(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// Type implements pflag.Value.
func (l *Level) Type() string { return "level" }

// Fails reports whether a finding at level l fails a run whose
// --failure-threshold is threshold: l is at least threshold, and the
// threshold is not None.
func (l Level) Fails(threshold Level) bool {
	return threshold != None && l != None && l >= threshold
}

// SARIF returns the SARIF 2.1.0 result level: "error", "warning", "note"
// (info and style) or "none".
func (l Level) SARIF() string {
	switch l {
	case Error:
		return "error"
	case Warning:
		return "warning"
	case Info, Style:
		return "note"
	}
	return "none"
}

// MarshalText implements encoding.TextMarshaler: the level's name.
func (l Level) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Level) UnmarshalText(b []byte) error { return l.Set(string(b)) }
