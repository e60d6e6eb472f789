package source

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"mvdan.cc/sh/v3/syntax"

	"github.com/dockmend/dockmend/internal/buildkitparser"
)

// MaxLineLength is the longest physical line buildkit's scanner accepts.
const MaxLineLength = 65535

// MaxFileSize is the largest Dockerfile dockmend reads: 1 MiB. The largest
// of the 4,356 files of the test corpus has 25 KB. Rewriting takes time
// and memory linear in a file's size, but with a large constant: a 1 MiB
// file of short RUN lines, each with a finding, takes about 1.5 s of CPU
// and 400 MB (its parse, the shell syntax trees of its RUN lines, the
// diff); an 8 MiB one took 17 s and 3.4 GB. Parse takes larger inputs;
// the commands refuse files over the limit before reading them.
const MaxFileSize = 1 << 20

// File is a parsed Dockerfile: its bytes, buildkit's tree and dockmend's
// byte-accurate view of it.
type File struct {
	// Path names the file in messages. It is not read.
	Path string
	// Data is the file's content, never modified.
	Data []byte
	// Escape is the escape token: '\\' or '`'.
	Escape rune
	// Result is buildkit's parse result.
	Result *parser.Result
	// Directives are the parser directives at the top of the file.
	Directives []*Directive
	// Instructions are the top-level instructions in source order.
	Instructions []*Instruction
	// Stages are the build stages in order.
	Stages []*Stage
	// GlobalArgs are the ARG instructions before the first FROM. They are
	// visible only in FROM lines (and in stages that redeclare them).
	GlobalArgs []*Arg

	lines []int // offset of the first byte of each physical line, plus len(Data)

	stageNames map[string]*Stage // the first stage of each name, see StageByName

	instrOnce sync.Once
	instrErr  error

	shellMu sync.Mutex
	shell   *syntax.Parser // see parseShell
	// parsed are the shell programs parsed so far; reuse are those of
	// the file this one rewrites, by text, each given to one script at
	// most (see Reparse). Both are guarded by shellMu.
	parsed []parsedShell
	reuse  map[string][]*syntax.File
}

// parsedShell is a shell program and its syntax tree.
type parsedShell struct {
	text string
	tree *syntax.File
}

// InstructionsErr returns the error of buildkit's instructions.Parse, which
// checks the instructions' arguments and flags. A file with such an error
// can still be analysed, but a rewrite must not introduce one. It is
// computed on the first call: most files are never rewritten, and the
// check costs as much as a sixth of the parse.
func (f *File) InstructionsErr() error {
	f.instrOnce.Do(func() {
		_, _, f.instrErr = instructions.Parse(f.Result.AST, nil)
	})
	return f.instrErr
}

// Error is a problem with one file, with the line it concerns when known.
type Error struct {
	Path string
	Line int // 0 when unknown
	Err  error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %v", e.Path, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.Path, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Parse parses data as a Dockerfile. path is used only in errors. The error,
// when not nil, is an *Error naming the file and, when known, the line.
func Parse(path string, data []byte) (*File, error) {
	if err := checkText(data); err != nil {
		err.Path = path
		return nil, err
	}
	res, err := buildkitparser.ParseBuildkit(data)
	if err != nil && strings.HasSuffix(err.Error(), "file with no instructions") {
		// Empty, or only comments and blank lines: not a Dockerfile.
		return nil, &Error{Path: path, Err: ErrNoInstructions}
	}
	if err != nil {
		line := errorLine(err)
		if bad := badDirectiveLine(data); bad > 0 {
			// buildkit numbers the lines of directive errors from 0.
			line = bad
		}
		return nil, &Error{Path: path, Line: line, Err: cleanParseError(err)}
	}
	f := &File{
		Path:   path,
		Data:   data,
		Escape: res.EscapeToken,
		Result: res,
		lines:  lineStarts(data),
	}
	f.Directives = f.parseDirectives()
	for _, n := range res.AST.Children {
		if !knownInstructions[strings.ToLower(n.Value)] {
			return nil, &Error{Path: path, Line: n.StartLine, Err: unknownInstruction(n)}
		}
		in := f.newInstruction(n, nil)
		f.Instructions = append(f.Instructions, in)
	}
	f.buildStages()
	return f, nil
}

// Reparse parses data, a rewrite of f's content, as Parse does. The
// shell programs that f has parsed and data still holds (the same text)
// are not parsed again: each syntax tree of f (which nothing modifies)
// goes to one script of the new file. The engine reparses a file after
// each pass of fixes, which leave most RUN instructions as they were.
func (f *File) Reparse(data []byte) (*File, error) {
	nf, err := Parse(f.Path, data)
	if err != nil {
		return nil, err
	}
	f.shellMu.Lock()
	defer f.shellMu.Unlock()
	for _, p := range f.parsed {
		if nf.reuse == nil {
			nf.reuse = map[string][]*syntax.File{}
		}
		nf.reuse[p.text] = append(nf.reuse[p.text], p.tree)
	}
	f.parsed = nil // given away
	return nf, nil
}

// ErrNoInstructions is the error (wrapped in an *Error) of a file that is
// empty or holds only comments and blank lines.
var ErrNoInstructions = errors.New("no instructions")

// knownInstructions are the instruction keywords buildkit knows, lower
// case.
var knownInstructions = map[string]bool{
	"add": true, "arg": true, "cmd": true, "copy": true, "entrypoint": true, "env": true,
	"expose": true, "from": true, "healthcheck": true, "label": true, "maintainer": true,
	"onbuild": true, "run": true, "shell": true, "stopsignal": true, "user": true,
	"volume": true, "workdir": true,
}

// unknownInstruction returns buildkit's error for an instruction with an
// unknown keyword ("unknown instruction: FROMM (did you mean FROM?)"),
// which instructions.Parse reports and a build fails with: a file with one
// is not a Dockerfile, or not one buildkit builds.
func unknownInstruction(n *parser.Node) error {
	_, err := instructions.ParseInstruction(n)
	var ue *instructions.UnknownInstructionError
	if err == nil || !errors.As(err, &ue) {
		// Not expected: the keyword is not in knownInstructions.
		return fmt.Errorf("unknown instruction: %s", n.Value)
	}
	return cleanParseError(err)
}

// checkText rejects what is not a text Dockerfile before buildkit sees it.
func checkText(data []byte) *Error {
	if i := bytes.IndexByte(data, 0); i >= 0 {
		return &Error{Line: bytes.Count(data[:i], []byte{'\n'}) + 1, Err: errors.New("binary file (contains NUL bytes)")}
	}
	// Line by line, each line's end found with IndexByte.
	for line, start := 1, 0; start <= len(data); line++ {
		end := bytes.IndexByte(data[start:], '\n')
		if end < 0 {
			end = len(data) - start
		}
		if end > MaxLineLength {
			return &Error{Line: line, Err: fmt.Errorf("line longer than %d bytes", MaxLineLength)}
		}
		start += end + 1
	}
	return nil
}

// errorLine extracts the first line number from a buildkit error.
func errorLine(err error) int {
	var le *parser.LocationError
	if errors.As(err, &le) {
		for _, rs := range le.Locations {
			for _, r := range rs {
				if r.Start.Line > 0 {
					return r.Start.Line
				}
			}
		}
	}
	return 0
}

// cleanParseError drops buildkit's stack-carrying wrapper text so messages
// read as one line.
func cleanParseError(err error) error {
	msg := err.Error()
	msg = strings.TrimPrefix(msg, "dockerfile parse error: ")
	return errors.New(msg)
}

// lineStarts returns the offset of each physical line, split like buildkit's
// scanner: a line ends after '\n' and a '\r' stays inside it.
func lineStarts(data []byte) []int {
	starts := make([]int, 1, bytes.Count(data, []byte{'\n'})+2)
	for i := 0; ; {
		j := bytes.IndexByte(data[i:], '\n')
		if j < 0 || i+j+1 >= len(data) {
			break
		}
		i += j + 1
		starts = append(starts, i)
	}
	return append(starts, len(data))
}

// NumLines is the number of physical lines.
func (f *File) NumLines() int { return len(f.lines) - 1 }

// Line returns the byte range of physical line n (1-based), including its
// line ending.
func (f *File) Line(n int) (start, end int) {
	if n < 1 || n > f.NumLines() {
		return len(f.Data), len(f.Data)
	}
	return f.lines[n-1], f.lines[n]
}

// LineText returns physical line n without its line ending.
func (f *File) LineText(n int) string {
	s, e := f.Line(n)
	return strings.TrimRight(string(f.Data[s:e]), "\r\n")
}

// Position converts a byte offset to a 1-based line and a 1-based column
// counted in bytes.
func (f *File) Position(off int) (line, col int) {
	lo, hi := 0, f.NumLines()-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if f.lines[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1, off - f.lines[lo] + 1
}

// EOL returns the file's dominant line ending, "\r\n" or "\n".
func (f *File) EOL() string {
	crlf := bytes.Count(f.Data, []byte("\r\n"))
	if crlf > 0 && crlf*2 >= bytes.Count(f.Data, []byte{'\n'}) {
		return "\r\n"
	}
	return "\n"
}

// Walk calls fn for every instruction, ONBUILD triggers included, in
// source order.
func (f *File) Walk(fn func(*Instruction)) {
	for _, in := range f.Instructions {
		fn(in)
		if in.Trigger != nil {
			fn(in.Trigger)
		}
	}
}

// StageByName finds a stage by its name, case-insensitively.
func (f *File) StageByName(name string) *Stage {
	return f.stageNames[strings.ToLower(name)]
}
