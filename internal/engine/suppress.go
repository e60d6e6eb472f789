package engine

import (
	"bytes"
	"cmp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// suppressions answers, for one parsed file, whether a pragma ignores a
// finding: a comment directly above the instruction that holds it, "#
// dockmend ignore=ID,..." naming its rule or its check id, or "#
// hadolint ignore=ID,..." naming its check id; or a comment anywhere
// between instructions, "# dockmend global ignore=ID,..." or "# hadolint
// global ignore=ID,...", for the whole file. It reads each line of the
// file at most once, however many findings there are.
type suppressions struct {
	f *source.File
	// blockStart[l] is the first line of the run of comment lines that
	// ends at line l, or 0 when line l is not a comment; built on first
	// use.
	blockStart []int
	// ids maps the first line of a comment block to the ids its pragmas
	// name ("dockmend:ID", "hadolint:ID", lower case), each with the first
	// line that names it.
	ids map[int]map[string]int
	// global are the ids of the file's global pragmas, the same way.
	global map[string]bool
}

func (s *suppressions) suppressed(fd transform.Finding) bool {
	f := s.f
	if s.blockStart == nil {
		s.scan()
	}
	code := strings.ToLower(fd.Code)
	if s.global["dockmend:"+fd.Rule] || s.global["dockmend:all"] ||
		code != "" && (s.global["dockmend:"+code] || s.global["hadolint:"+code]) {
		return true
	}
	line, _ := f.Position(fd.Start)
	// The instruction holding line: the last one starting at or before
	// it, if it ends at or after it.
	if i, _ := slices.BinarySearchFunc(f.Instructions, line+1, func(in *source.Instruction, l int) int {
		return cmp.Compare(in.StartLine, l)
	}); i > 0 {
		if in := f.Instructions[i-1]; line <= in.EndLine {
			line = in.StartLine
		}
	}
	if line < 2 {
		return false
	}
	start := s.blockStart[line-1]
	if start == 0 {
		return false
	}
	ids, ok := s.ids[start]
	if !ok {
		ids = map[string]int{}
		for l := start; l < len(s.blockStart) && s.blockStart[l] == start; l++ {
			tool, global, list, ok := ignorePragma(strings.TrimSpace(f.LineText(l)))
			if !ok || global {
				continue
			}
			for _, id := range list {
				if _, seen := ids[tool+":"+id]; !seen {
					ids[tool+":"+id] = l
				}
			}
		}
		s.ids[start] = ids
	}
	// Only the pragmas above line count: a finding on a comment line
	// sees the part of the block before it.
	named := func(key string) bool {
		l, ok := ids[key]
		return ok && l < line
	}
	return named("dockmend:"+fd.Rule) || named("dockmend:all") ||
		(code != "" && (named("dockmend:"+code) || named("hadolint:"+code)))
}

// scan finds the comment lines of the file, and its global pragmas: those
// on comment lines outside every instruction (a line inside a heredoc or
// a continuation is the instruction's text).
func (s *suppressions) scan() {
	f := s.f
	s.blockStart = make([]int, f.NumLines()+1)
	s.ids = map[int]map[string]int{}
	s.global = map[string]bool{}
	inside := make([]bool, f.NumLines()+2)
	for _, in := range f.Instructions {
		for l := in.StartLine; l <= in.EndLine && l < len(inside); l++ {
			inside[l] = true
		}
	}
	for l := 1; l <= f.NumLines(); l++ {
		// Most lines are not comments: look at them in place, and make a
		// string of the comments only.
		start, end := f.Line(l)
		line := bytes.TrimSpace(f.Data[start:end])
		if len(line) == 0 || line[0] != '#' {
			continue
		}
		text := string(line)
		s.blockStart[l] = l
		if s.blockStart[l-1] > 0 {
			s.blockStart[l] = s.blockStart[l-1]
		}
		if inside[l] {
			continue
		}
		if tool, global, list, ok := ignorePragma(text); ok && global {
			for _, id := range list {
				s.global[tool+":"+id] = true
			}
		}
	}
}

// ignorePragma parses "# TOOL [global] ignore=A,B [# comment]", with the
// ids in lower case. Spaces may stand around the words, "=" and commas.
func ignorePragma(comment string) (tool string, global bool, ids []string, ok bool) {
	fields := strings.Fields(strings.TrimPrefix(comment, "#"))
	if len(fields) < 2 {
		return "", false, nil, false
	}
	tool = strings.ToLower(fields[0])
	if tool != "dockmend" && tool != "hadolint" {
		return "", false, nil, false
	}
	rest := strings.Join(fields[1:], "")
	rest, global = strings.CutPrefix(rest, "global")
	list, found := strings.CutPrefix(rest, "ignore=")
	if !found {
		return "", false, nil, false
	}
	// A comment may follow the list: "ignore=DL3003 # we cd on purpose".
	list, _, _ = strings.Cut(list, "#")
	for _, id := range strings.Split(list, ",") {
		if id = strings.ToLower(strings.TrimSpace(id)); id != "" {
			ids = append(ids, id)
		}
	}
	return tool, global, ids, len(ids) > 0
}
