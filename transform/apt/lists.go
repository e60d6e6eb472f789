package apt

import (
	"fmt"
	"strings"

	"github.com/dockmend/dockmend/internal/plural"
	"github.com/dockmend/dockmend/internal/shellcmd"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

const listsCleanup = "rm -rf /var/lib/apt/lists/*"

// A holder is a RUN whose layer keeps the package lists once the rule's
// plan is carried out up to it: a RUN that updates them and does not
// remove them, or a RUN that installs from the lists of an earlier RUN
// (a relay), which the plan gives an apt-get update of its own. The plan
// then removes the lists at the end of every holder, so that no layer
// keeps them.
type holder struct {
	r *runInfo
	// root is the update command whose text a relay's own update copies:
	// r's own update, or, for a relay without one, its chain's.
	root *shellcmd.Command
	// prev is the holder whose lists a relay installs from; nil for a RUN
	// that updates before it installs.
	prev *holder
	// next are the RUNs that install next from r's lists: later in the
	// stage, or first in each stage built FROM it.
	next []*runInfo
	// blocker is the first RUN after r, before the lists are updated or
	// removed again, that may use them unseen: it runs a script (blockCmd)
	// or cannot be analysed (blockCmd nil).
	blocker  *runInfo
	blockCmd *shellcmd.Command
	// replaced reports that a later RUN updates or removes the lists
	// before any RUN uses them.
	replaced bool
	// merged reports that the RUN before r (a lone apt-get update, or a
	// holder with mergeNext) is merged into it: r needs no update of its
	// own. mergeNext reports that r's fix merges the next RUN into r; skip
	// that r is a lone update merged into the next RUN by checkMerges.
	merged, mergeNext, skip bool
	mergeEdit               transform.Edit
	// joined reports that r's RUN is joined to the RUN before it by that
	// RUN's merge (its keyword and flags go).
	joined bool
	// orphan reports a RUN that installs from lists no earlier RUN left
	// (the base image's, if it has any, or none since the RUN gone
	// removed them), or a relay of such a RUN: it gets an apt-get update
	// of its own like any relay.
	orphan bool
	gone   *runInfo
}

func (h *holder) block(r *runInfo, c *shellcmd.Command) {
	if h.blocker == nil {
		h.blocker, h.blockCmd = r, c
	}
}

// checkLists plans the removal of the package lists over the RUNs of a
// file's stages (runs maps each stage to its analysed RUNs) and reports
// every RUN of an image stage whose layer keeps them. merged maps each
// lone apt-get update that checkMerges merges into the next RUN to that
// RUN.
func checkLists(p *transform.Pass, opts Options, f *source.File, runs map[*source.Stage][]*runInfo, merged map[*runInfo]*runInfo) {
	w := &plan{byRun: map[*runInfo]*holder{}}
	end := map[*source.Stage]*holder{}
	for _, st := range f.Stages {
		var cur *holder
		if parent := f.StageByName(st.Base.Text); parent != nil && parent.Index < st.Index {
			cur = end[parent]
		}
		end[st] = w.walk(runs[st], cur)
	}
	w.decide(merged)
	for _, h := range w.holders {
		if !h.skip && shellcmd.ImageStage(h.r.in) {
			report(p, opts, h)
		}
	}
}

// checkTrigger reports an ONBUILD RUN trigger that leaves the lists.
func checkTrigger(p *transform.Pass, opts Options, r *runInfo) {
	w := &plan{byRun: map[*runInfo]*holder{}}
	w.walk([]*runInfo{r}, nil)
	w.decide(nil)
	for _, h := range w.holders {
		report(p, opts, h)
	}
}

type plan struct {
	holders []*holder
	byRun   map[*runInfo]*holder
}

// walk follows the lists through runs, starting with the holder cur
// (from the stage built upon, or nil), and returns the holder at the end.
func (w *plan) walk(runs []*runInfo, cur *holder) *holder {
	var gone *runInfo // the RUN that last removed the lists
	for _, r := range runs {
		if !r.analysed {
			// A light RUN (see mayRunApt) matters where the lists are
			// held, and elsewhere only if it removes them.
			if cur == nil && !mayRemoveLists(r) {
				continue
			}
			r.analyze()
		}
		if r.script == nil && !r.exec {
			if cur != nil {
				cur.block(r, nil)
			}
			continue
		}
		if r.cached || len(r.events) == 0 {
			continue
		}
		if cur != nil {
			switch {
			case r.firstUse != nil:
				cur.next = append(cur.next, r)
			case r.firstScript != nil:
				cur.block(r, r.firstScript)
			case r.lastKind != 0 && cur.blocker == nil:
				cur.replaced = true
			}
		}
		var h *holder
		switch {
		case r.lastKind == remove:
			cur, gone = nil, r
		case r.lastKind == update:
			h = &holder{r: r, root: r.lastUpdate}
			if r.firstUse != nil && cur != nil {
				h.prev = cur
			}
			h.orphan, h.gone = r.firstUse != nil && cur == nil, gone
		case r.firstUse != nil && cur != nil:
			h = &holder{r: r, root: cur.root, prev: cur, orphan: cur.orphan && cur.root == nil}
		case r.firstUse != nil:
			h = &holder{r: r, orphan: true, gone: gone}
		}
		if h != nil {
			w.holders = append(w.holders, h)
			w.byRun[r] = h
			cur = h
		}
	}
	return cur
}

// decide chooses, for each holder, whether the next RUN is merged into it
// and marks the RUNs merged into their predecessor.
func (w *plan) decide(lone map[*runInfo]*runInfo) {
	for _, h := range w.holders {
		if len(h.next) != 1 || h.blocker != nil {
			continue
		}
		n := h.next[0]
		if lone[h.r] == n {
			h.skip = true
			if nh := w.byRun[n]; nh != nil {
				nh.merged = true
			}
			continue
		}
		if !shellcmd.ImageStage(h.r.in) {
			continue
		}
		if e, ok := mergeEdit(h.r, n); ok {
			h.mergeNext, h.mergeEdit = true, e
			if nh := w.byRun[n]; nh != nil {
				nh.merged, nh.joined = true, true
			}
		}
	}
}

// aptMounts are the cache mounts of the cache-mounts style, as Docker's
// documentation shows them.
var aptMounts = []string{"type=cache,target=/var/cache/apt,sharing=locked", "type=cache,target=/var/lib/apt,sharing=locked"}

// report reports the holder h with the fix of its part of the plan.
func report(p *transform.Pass, opts Options, h *holder) {
	r := h.r
	var fd transform.Finding
	switch {
	case h.orphan && (h.prev == nil || h.root == nil):
		c := r.firstUse
		fd = transform.Finding{
			Code:    "DL3009",
			Start:   c.Start(),
			End:     cmdEnd(c),
			Message: useText(c) + " runs on package lists that no earlier RUN of the stage updated (the base image's, if it has any)",
		}
		if h.gone != nil {
			fd.Message = fmt.Sprintf("%s runs after the RUN on line %d removed the package lists", useText(c), h.gone.in.StartLine)
		}
	case h.prev != nil:
		c := r.firstUse
		fd = transform.Finding{
			Code:    "DL3009",
			Start:   c.Start(),
			End:     cmdEnd(c),
			Message: fmt.Sprintf("%s uses the package lists of the update on line %d, so they stay in that RUN's layer", useText(c), h.prev.rootLine()),
		}
	default:
		c := h.root
		fd = transform.Finding{
			Code:    "DL3009",
			Start:   c.Start(),
			End:     cmdEnd(c),
			Message: updateText(c) + " leaves the package lists in the image",
		}
	}
	if r.script == nil {
		fd.Message += "; not fixed: the RUN is in exec form"
		p.Report(fd)
		return
	}
	var edits []transform.Edit
	var did []string
	blocked, note := "", ""
	if h.orphan && h.prev == nil {
		e, err := ownUpdate(r, nil)
		if err != nil {
			fd.Message += "; not fixed: this RUN cannot run apt-get update first: " + shapeReason(err)
			p.Report(fd)
			return
		}
		edits = append(edits, e)
		did = append(did, "run apt-get update first")
	} else if h.prev != nil && !h.merged {
		e, err := ownUpdate(r, h.prev.root)
		if err != nil {
			// The earlier RUN cannot be cleaned (its fix needs this
			// update); cleaning here still takes the lists out of the
			// image's files.
			note = fmt.Sprintf("; this RUN cannot run apt-get update first (%s), so the lists also stay in the layer of the RUN on line %d", shapeReason(err), h.prev.r.in.StartLine)
		} else {
			edits = append(edits, e)
			did = append(did, "run apt-get update first")
		}
	}
	mounts := func() bool {
		e, ok := shellcmd.AddMounts(r.in, aptMounts)
		if ok {
			edits = append(edits, e)
			did = append(did, "mount build caches over /var/cache/apt and /var/lib/apt (cache-mounts style)")
		}
		return ok
	}
	switch {
	case h.mergeNext:
		edits = append(edits, h.mergeEdit)
		did = append(did, fmt.Sprintf("merge the RUN on line %d, which installs from them, into this RUN", h.next[0].in.StartLine))
		if opts.CacheMounts && !h.joined {
			mounts() // the merged RUN's mounts; a failure leaves them to the last one's cleanup
		}
	case opts.CacheMounts && h.joined:
		// The RUN this one is joined to carries the mounts.
	case h.prev == nil && len(edits) == 0 && (h.replaced || len(h.next) > 0) && loneUpdate(r) && deleteBlocker(r) == "":
		// A RUN that is only apt-get update, whose lists are updated
		// again before they are used, or whose users update them
		// themselves, is redundant.
		f := r.in.File
		ls, _ := f.Line(r.in.StartLine)
		_, le := f.Line(r.in.EndLine)
		edits = append(edits, transform.Edit{Start: ls, End: le})
		fd.Start, fd.End = r.in.Start, r.in.End
		if len(h.next) == 0 {
			fd.Message += ", and the next RUN that uses them updates them again"
		}
		did = append(did, "remove the redundant RUN")
	default:
		if opts.CacheMounts && mounts() {
			break
		}
		e, err := shellcmd.Append(r.script, cleanupFor(r))
		if err != nil {
			blocked = shapeReason(err)
			break
		}
		edits = append(edits, e)
		did = append(did, "remove /var/lib/apt/lists/* at the end of the RUN")
	}
	moved := ""
	if blocked == "" && !h.mergeNext {
		var lines []string
		for _, n := range h.next {
			e, err := ownUpdate(n, h.root)
			if err != nil {
				blocked = fmt.Sprintf("the RUN on line %d installs from them and cannot run apt-get update first: %s", n.in.StartLine, shapeReason(err))
				break
			}
			if why := updateMoves(r.in, n.in); why != "" && moved == "" {
				moved = fmt.Sprintf("the RUN on line %d installs from them, and an apt-get update of its own %s", n.in.StartLine, why)
			}
			edits = append(edits, e)
			lines = append(lines, fmt.Sprint(n.in.StartLine))
		}
		if len(lines) > 0 {
			did = append(did, fmt.Sprintf("let the RUN on %s %s, which install%s from them, run apt-get update first", plural.Noun(len(lines), "line"), strings.Join(lines, " and "), map[bool]string{true: "s", false: ""}[len(lines) == 1]))
		}
	}
	fd.Message += note
	if blocked == "" && len(edits) == 0 {
		return // joined to the RUN before, whose finding carries the fix
	}
	if blocked != "" {
		fd.Message += "; not fixed: " + blocked
		p.Report(fd)
		return
	}
	fix := &transform.Fix{Message: plural.List(did), Edits: edits}
	if h.prev != nil && !h.merged && note == "" && moved == "" {
		if why := updateMoves(h.prev.r.in, r.in); why != "" {
			moved = "an apt-get update of its own " + why
		}
	}
	switch {
	case moved != "":
		fd.Message += "; not fixed safely: " + moved
		fix.Message += " (check that the update still gives the packages wanted)"
		fix.Applicability = transform.Unsafe
	case h.blocker != nil:
		what, ok := blockerText(h)
		if !ok {
			fd.Message += fmt.Sprintf("; not fixed: the RUN on line %d may install from them and cannot be changed", h.blocker.in.StartLine)
			p.Report(fd)
			return
		}
		fd.Message += fmt.Sprintf("; not fixed safely: the RUN on line %d %s, which may need them", h.blocker.in.StartLine, what)
		fix.Message += " (check that the RUN on line " + fmt.Sprint(h.blocker.in.StartLine) + " does not need them)"
		fix.Applicability = transform.Unsafe
	}
	fd.Fix = fix
	p.Report(fd)
}
