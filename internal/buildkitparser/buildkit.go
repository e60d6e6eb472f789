package buildkitparser

import (
	"bytes"
	"errors"

	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// ParseBuildkit parses data as buildkit's parser.Parse does and returns its
// result in buildkit's types. An error that names lines is a
// *parser.LocationError of buildkit's package, with the same locations and
// message.
func ParseBuildkit(data []byte) (*parser.Result, error) {
	res, err := Parse(bytes.NewReader(data))
	if err != nil {
		return nil, buildkitError(err)
	}
	return &parser.Result{
		AST:         buildkitNode(res.AST),
		EscapeToken: res.EscapeToken,
		Warnings:    buildkitWarnings(res.Warnings),
	}, nil
}

// TrimContinuation is the parser's own test for a line continuation,
// for code that replays its line processing (as internal/source maps the
// bytes of an instruction): it returns the part of the line the parser
// keeps and whether the instruction goes on at the next line. line is one
// physical line without its line ending; escape is the file's escape
// token.
func TrimContinuation(line []byte, escape rune) (kept []byte, continues bool) {
	kept, end := trimContinuationCharacter(line, &directives{escapeToken: escape})
	return kept, !end
}

// buildkitNode copies a tree into buildkit's type. The strings, slices and
// maps are shared: nothing modifies a parsed tree.
func buildkitNode(n *Node) *parser.Node {
	if n == nil {
		return nil
	}
	b := &parser.Node{
		Value:       n.Value,
		Next:        buildkitNode(n.Next),
		Attributes:  n.Attributes,
		Original:    n.Original,
		Flags:       n.Flags,
		StartLine:   n.StartLine,
		EndLine:     n.EndLine,
		PrevComment: n.PrevComment,
	}
	if n.Children != nil {
		b.Children = make([]*parser.Node, len(n.Children))
		for i, c := range n.Children {
			b.Children[i] = buildkitNode(c)
		}
	}
	if n.Heredocs != nil {
		b.Heredocs = make([]parser.Heredoc, len(n.Heredocs))
		for i, h := range n.Heredocs {
			b.Heredocs[i] = parser.Heredoc(h)
		}
	}
	return b
}

func buildkitWarnings(ws []Warning) []parser.Warning {
	if ws == nil {
		return nil
	}
	out := make([]parser.Warning, len(ws))
	for i, w := range ws {
		out[i] = parser.Warning{Short: w.Short, Detail: w.Detail, URL: w.URL}
		if w.Location != nil {
			r := parser.Range{Start: parser.Position(w.Location.Start), End: parser.Position(w.Location.End)}
			out[i].Location = &r
		}
	}
	return out
}

// buildkitError turns the copy's *LocationError into buildkit's, with the
// same error inside and the same locations.
func buildkitError(err error) error {
	var le *LocationError
	if !errors.As(err, &le) {
		return err
	}
	out := le.Unwrap()
	for _, loc := range le.Locations {
		rs := make([]parser.Range, len(loc))
		for i, r := range loc {
			rs[i] = parser.Range{Start: parser.Position(r.Start), End: parser.Position(r.End)}
		}
		out = parser.WithLocation(out, rs)
	}
	return out
}
