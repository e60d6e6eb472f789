package apt

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// updateMoves says why an apt-get update that ran in RUN from would give
// other lists when it runs in the later RUN to instead, as a clause
// ("would run after the COPY on line 7 (...)"), or "": other --network,
// secret or ssh flags, or an
// instruction between them (in to's stage and the stages it builds on)
// that could change what apt-get update does. RUNs between are allowed:
// the plan follows what they do to the lists, and one that changes the
// sources (an added repository) was meant to be seen by the next update.
func updateMoves(from, to *source.Instruction) string {
	if why := flagsDiffer(from, to); why != "" {
		return why
	}
	f := from.File
	for st := to.Stage; st != nil; {
		ins := st.Instructions
		for i := len(ins) - 1; i >= 0; i-- {
			x := ins[i]
			if x == from {
				return ""
			}
			if x.Start >= to.Start || x.Is("RUN") {
				continue
			}
			if why := movesPastUpdate(x); why != "" {
				return fmt.Sprintf("would run after the %s on line %d (it %s)", x.Keyword, x.StartLine, why)
			}
		}
		parent := f.StageByName(st.Base.Text)
		if parent == nil || parent.Index >= st.Index {
			return ""
		}
		st = parent
	}
	return ""
}

// flagsDiffer says why an apt-get update would run differently in RUN to
// than in RUN from because of their flags, or "": another --network, or
// secret or ssh mounts that from does not have (credentials for a
// private repository, say).
func flagsDiffer(from, to *source.Instruction) string {
	network := func(in *source.Instruction) string {
		if fl := in.Flag("network"); fl != nil {
			return fl.Value
		}
		return ""
	}
	if network(from) != network(to) {
		return fmt.Sprintf("would run with the --network of the RUN on line %d", to.StartLine)
	}
	secrets := func(in *source.Instruction) []string {
		var out []string
		for _, fl := range in.Flags {
			if fl.Name == "mount" && (strings.Contains(fl.Value, "secret") || strings.Contains(fl.Value, "ssh")) {
				out = append(out, fl.Value)
			}
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(secrets(from), secrets(to)) {
		return fmt.Sprintf("would run with the secret or ssh mounts of the RUN on line %d", to.StartLine)
	}
	return ""
}

// movesPastUpdate says why an apt-get update may not move past the
// instruction x (not a RUN), or "". A COPY or ADD may bring apt sources or
// settings only when its destination is under /etc/apt, is a directory
// that could be /etc or / (".", "/", a variable) or names apt.
func movesPastUpdate(x *source.Instruction) string {
	switch x.Keyword {
	case "COPY", "ADD":
		fields := x.Fields()
		if len(fields) == 0 {
			return ""
		}
		dest := fields[len(fields)-1].Text
		if x.JSON || strings.Contains(dest, "$") || strings.Contains(dest, "apt") || dest == "/" || dest == "." || dest == "./" || dest == "/etc" || dest == "/etc/" {
			return "could bring apt sources or settings"
		}
		return ""
	case "USER":
		return "" // the update runs through sudo when the install does
	}
	why, _, _ := strings.Cut(movesPast(x), ", which apt-get update would then see")
	return why
}

// blockerText describes what the blocker of h runs; ok is false when the
// blocker is a RUN that cannot be analysed and mentions apt: it most
// likely installs, and nothing can make it update first.
func blockerText(h *holder) (string, bool) {
	if h.blockCmd != nil {
		return "runs " + quote(h.blockCmd.Text(60)), true
	}
	if mentionsApt(h.blocker.in) {
		return "", false
	}
	return "cannot be analysed", true
}

func quote(s string) string { return "\"" + s + "\"" }

// rootLine is the line of the RUN whose update h's lists come from.
func (h *holder) rootLine() int {
	for h.prev != nil && h.root != h.r.lastUpdate {
		h = h.prev
	}
	return h.r.in.StartLine
}

// cleanupFor returns the command that removes the lists in r: through
// sudo when r's apt commands run through it (the build user is not
// root).
func cleanupFor(r *runInfo) string {
	for _, e := range r.events {
		if e.kind != remove && e.cmd.Sudo() {
			return "sudo " + listsCleanup
		}
	}
	return listsCleanup
}

// ownUpdate returns the edit that runs apt-get update first in r, which
// installs from lists an earlier RUN left; root is the update that did,
// whose options (-q, -o Acquire::...) the new update copies.
func ownUpdate(r *runInfo, root *shellcmd.Command) (transform.Edit, error) {
	if r.script == nil {
		return transform.Edit{}, errors.New("it is in exec form")
	}
	text := "apt-get update"
	if root != nil && root.Context == "" && (root.Name() == "apt-get" || root.Name() == "apt") {
		if t, ok := wordsText(root); ok {
			text = t
		}
	}
	if r.firstUse != nil && r.firstUse.Sudo() {
		text = "sudo " + text
	}
	return shellcmd.Prepend(r.script, text)
}

// wordsText returns the words of an apt-get update command as the program
// spells them, the name spelt apt-get; ok is false when a word has an
// expansion, whose value in another RUN is not known.
func wordsText(c *shellcmd.Command) (string, bool) {
	parts := []string{"apt-get"}
	for _, w := range c.Args[1:] {
		if !w.Literal {
			return "", false
		}
		start, end := w.Node.Pos().Offset(), w.Node.End().Offset()
		if int(end) > len(c.Script.Text) || start > end {
			return "", false
		}
		t := c.Script.Text[start:end]
		if strings.ContainsAny(t, "\n\\") {
			return "", false
		}
		parts = append(parts, t)
	}
	return strings.Join(parts, " "), true
}

func shapeReason(err error) string {
	var se *shellcmd.ShapeError
	if errors.As(err, &se) {
		return se.Reason
	}
	return err.Error()
}

// cmdEnd is the end of a command's subcommand word, or of its name.
func cmdEnd(c *shellcmd.Command) int {
	if c.Context == shellcmd.InlineContext {
		return c.End()
	}
	end := c.Args[0].End
	switch c.Name() {
	case "apt-get", "apt", "aptitude":
		if i, _ := subcommand(c); i > 0 {
			end = c.Args[i].End
		}
	}
	return end
}

// updateText names the command that updated the lists.
func updateText(c *shellcmd.Command) string {
	if c.Name() == "add-apt-repository" {
		return "add-apt-repository (which runs apt-get update)"
	}
	if i, _ := subcommand(c); i > 0 {
		return c.Name() + " " + c.Args[i].Value
	}
	return c.Name() + " update"
}

// useText names the command that installs from the lists.
func useText(c *shellcmd.Command) string {
	switch c.Name() {
	case "apt-get", "apt", "aptitude":
		if i, _ := subcommand(c); i > 0 {
			return c.Name() + " " + c.Args[i].Value
		}
	}
	return c.Name()
}
