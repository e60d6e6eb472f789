package apt

import (
	"errors"
	"fmt"

	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/transform"
)

const listsCleanup = "rm -rf /var/lib/apt/lists/*"

// checkLists follows the package lists through the RUNs of one stage (or
// one ONBUILD trigger) and reports the RUN that should remove them: the
// last RUN that uses the lists an apt-get update left, before the lists
// are updated again, removed, or the stage ends.
func checkLists(p *transform.Pass, runs []*runInfo) {
	var pending, from *runInfo // the RUN to clean, the RUN that updated
	for _, r := range runs {
		if r.script == nil {
			if pending != nil {
				report(p, pending, from, fmt.Sprintf("the RUN on line %d cannot be analysed and may need them", r.in.StartLine))
				pending = nil
			}
			continue
		}
		if r.cached || len(r.events) == 0 {
			continue
		}
		if pending != nil {
			switch r.events[0].kind {
			case update:
				reportUnused(p, pending, from)
				pending = nil
			case remove:
				report(p, pending, from, "")
				pending = nil
			case script:
				report(p, pending, from, fmt.Sprintf("the RUN on line %d runs a script that may need them", r.in.StartLine))
				pending = nil
			}
		}
		last := 0
		for _, e := range r.events {
			if e.kind == update || e.kind == remove {
				last = e.kind
			}
		}
		switch {
		case last == remove:
			pending = nil
		case last == update:
			pending, from = r, r
		case pending != nil:
			pending = r // it uses the lists: the cleanup moves here
		}
	}
	if pending != nil {
		report(p, pending, from, "")
	}
}

// reportUnused reports the pending RUN r when the next RUN that touches
// the lists updates them again. A RUN that is only apt-get update is then
// redundant and is deleted; others get the cleanup.
func reportUnused(p *transform.Pass, r, from *runInfo) {
	if r != from || !loneUpdate(r) || deleteBlocker(r) != "" {
		report(p, r, from, "")
		return
	}
	c := r.cmds[0]
	f := r.in.File
	ls, _ := f.Line(r.in.StartLine)
	_, le := f.Line(r.in.EndLine)
	p.Report(transform.Finding{
		Code:    "DL3009",
		Start:   r.in.Start,
		End:     r.in.End,
		Message: updateText(c) + " leaves the package lists in the image, and the next RUN that uses them updates them again",
		Fix: &transform.Fix{
			Message: "remove the redundant RUN",
			Edits:   []transform.Edit{{Start: ls, End: le}},
		},
	})
}

// report reports that r leaves the lists from's update in the image, with
// a fix unless blocked says why not.
func report(p *transform.Pass, r, from *runInfo, blocked string) {
	// Point at the update that left the lists, or at the last command
	// that uses them when the update was in an earlier RUN.
	want := update
	if from != r {
		want = use
	}
	var c *shellcmd.Command
	for _, e := range r.events {
		if e.kind == want {
			c = e.cmd
		}
	}
	end := c.Args[0].End
	if i, _ := subcommand(c); i > 0 {
		end = c.Args[i].End
	}
	fd := transform.Finding{
		Code:    "DL3009",
		Start:   c.Start(),
		End:     end,
		Message: updateText(c) + " leaves the package lists in the image",
	}
	if from != r {
		fd.Message = fmt.Sprintf("the package lists from the update on line %d stay in the image; this RUN is the last that uses them", from.in.StartLine)
	}
	if blocked == "" {
		cleanup := listsCleanup
		for _, e := range r.events {
			if e.kind != remove && e.cmd.Sudo() {
				cleanup = "sudo " + listsCleanup // the build user is not root
			}
		}
		e, err := shellcmd.Append(r.script, cleanup)
		var se *shellcmd.ShapeError
		if errors.As(err, &se) {
			blocked = se.Reason
		} else if err != nil {
			blocked = err.Error()
		} else {
			fd.Fix = &transform.Fix{
				Message: "remove /var/lib/apt/lists/* at the end of the RUN",
				Edits:   []transform.Edit{e},
			}
		}
	}
	if blocked != "" {
		fd.Message += "; not fixed: " + blocked
	}
	p.Report(fd)
}

// updateText names the command that updated the lists.
func updateText(c *shellcmd.Command) string {
	if c.Name() == "add-apt-repository" {
		return "add-apt-repository (which runs apt-get update)"
	}
	return c.Name() + " update"
}
