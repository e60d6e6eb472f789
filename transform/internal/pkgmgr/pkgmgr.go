// Package pkgmgr is the kit the package-manager rules are made of. A
// Manager describes a family of package managers as data: the command
// names, the options that take a value, the subcommands that ask for
// confirmation and those that fill the cache, how a command line says
// not to ask, how the cache is cleaned. Check then finds, in every RUN, the
// commands that would stop at a prompt and the cache a RUN leaves in the
// image, and fixes them; Parse gives a rule with logic of its own (apk)
// the same reading of a command line.
package pkgmgr

import (
	"errors"
	"slices"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// Manager describes a family of package managers (dnf, yum, microdnf).
type Manager struct {
	// Names are the commands ("dnf", "yum"), by base name.
	Names []string
	// Mentions are words one of which a RUN must contain to be read (see
	// shellcmd.Mentions); a command name always shows up so.
	Mentions []string
	// ValueOptions are the options that take a value.
	ValueOptions []string
	// Subcommand returns the index in c.Args of the word that says what c
	// does ("install" in "dnf group install"), or -1; nil means the first
	// operand, when it is literal.
	Subcommand func(c *shellcmd.Command, l shellcmd.Line) int
	// Asks are the subcommands that ask for confirmation.
	Asks []string
	// Fills are the subcommands that download packages or metadata into
	// the cache.
	Fills []string
	// Cleans are the subcommands that clean the cache.
	Cleans []string
	// CleansAll, if set, reports whether a cleaning command (its
	// subcommand at sub) cleans all of the cache; nil means it does.
	CleansAll func(c *shellcmd.Command, l shellcmd.Line, sub int) bool
	// CacheDirs are the directories of the cache: a RUN that removes one
	// cleans, and a cache mount on one keeps the cache out of the image.
	CacheDirs []string
	// Confirmed reports that a command line (its subcommand at sub) will
	// not ask.
	Confirmed func(l shellcmd.Line, sub int) bool
	// Prompt describes the finding about a command that would ask: its
	// code and message, and the fix's edit and message.
	Prompt func(c Call) (code, message string, fix transform.Edit, fixMessage string)
	// Leftover describes the finding about the last command of a RUN that
	// filled the cache when nothing cleans it: its code and message, and
	// the command the fix appends to the RUN.
	Leftover func(c Call) (code, message, clean string)
}

// Call is one command line of a package manager.
type Call struct {
	*shellcmd.Command
	// Line is the parsed command line.
	Line shellcmd.Line
	// Sub is the index in Args of the subcommand.
	Sub int
}

// Subcommand returns the subcommand ("install").
func (c Call) Subcommand() string { return c.Args[c.Sub].Value }

// Parse reads c as a command line of m: ok is false when c runs another
// command, or names no literal subcommand.
func (m *Manager) Parse(c *shellcmd.Command) (call Call, ok bool) {
	if !slices.Contains(m.Names, c.Name()) {
		return Call{}, false
	}
	l := c.Parse(m.ValueOptions...)
	i := -1
	if m.Subcommand != nil {
		i = m.Subcommand(c, l)
	} else if j := l.Operand(0); j >= 0 && c.Args[j].Literal {
		i = j
	}
	if i < 0 {
		return Call{}, false
	}
	return Call{Command: c, Line: l, Sub: i}, true
}

// Check reports, in every RUN (ONBUILD triggers included) that mentions
// the manager, each command that would ask for confirmation, and the
// cache a RUN leaves in an image when its last command that fills it is
// not followed by one that cleans it.
func (m *Manager) Check(p *transform.Pass) error {
	return p.Walk(func(in *source.Instruction) {
		if in.Is("RUN") && shellcmd.Mentions(in, m.Mentions...) {
			m.checkRun(p, in)
		}
	})
}

func (m *Manager) checkRun(p *transform.Pass, in *source.Instruction) {
	s, err := in.Script()
	if err != nil {
		return
	}
	var last Call // the last command that filled the cache
	cleaned := false
	for _, c := range shellcmd.Commands(s) {
		if c.Removes(m.CacheDirs...) {
			cleaned = true
			continue
		}
		call, ok := m.Parse(c)
		if !ok {
			continue
		}
		sub := call.Subcommand()
		if slices.Contains(m.Cleans, sub) {
			if m.CleansAll == nil || m.CleansAll(c, call.Line, call.Sub) {
				cleaned = true
			}
			continue
		}
		if slices.Contains(m.Asks, sub) && !m.Confirmed(call.Line, call.Sub) {
			m.reportPrompt(p, call)
		}
		if slices.Contains(m.Fills, sub) {
			last, cleaned = call, false
		}
	}
	if last.Command == nil || cleaned || !shellcmd.ImageStage(in) {
		return
	}
	for _, d := range m.CacheDirs {
		if shellcmd.CacheCovers(in, d) {
			return
		}
	}
	m.reportLeftover(p, s, last)
}

func (m *Manager) reportPrompt(p *transform.Pass, c Call) {
	code, msg, e, fixMsg := m.Prompt(c)
	fd := transform.Finding{Code: code, Start: c.Start(), End: c.Args[c.Sub].End, Message: msg}
	if c.Editable() {
		fd.Fix = &transform.Fix{Message: fixMsg, Edits: []transform.Edit{e}}
	} else {
		fd.Message += "; not fixed: " + c.NotEditable()
	}
	p.Report(fd)
}

func (m *Manager) reportLeftover(p *transform.Pass, s *source.Script, c Call) {
	code, msg, clean := m.Leftover(c)
	fd := transform.Finding{Code: code, Start: c.Start(), End: c.Args[c.Sub].End, Message: msg}
	e, err := shellcmd.Append(s, clean)
	var se *shellcmd.ShapeError
	switch {
	case errors.As(err, &se): // the only error Append returns
		fd.Message += "; not fixed: " + se.Reason
	case err == nil:
		fd.Fix = &transform.Fix{Message: "add " + clean + " at the end of the RUN", Edits: []transform.Edit{e}}
	}
	p.Report(fd)
}
