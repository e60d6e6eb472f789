package transform

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/dockmend/dockmend/internal/buildfacts"
	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/source"
)

// Transformer describes one rule: what it checks, how it is documented and
// the function that runs it.
type Transformer struct {
	// Name is the rule id used by --select, --ignore and suppression
	// comments: lower case letters and digits.
	Name string
	// Doc documents the rule. Its first line is "name: summary".
	Doc string
	// Default reports whether the rule runs when --select is not given.
	Default bool
	// Fixes lists the hadolint and BuildKit check ids the rule fixes.
	Fixes []string
	// Level grades the rule's findings (error, warning, info, style, as
	// hadolint grades its checks); unset means severity.Warning.
	Level severity.Level
	// Levels grades the findings of some of the check ids in Fixes
	// differently from Level, as hadolint grades those checks.
	Levels map[string]severity.Level
	// Prepare, if set, is called once per run, before Run sees any file,
	// with every file the rule will run on, in order: the setup a rule
	// needs over all files at once (pin looks every image reference up
	// there, each once and in parallel). It must not modify the files. An
	// error stops the run.
	Prepare func(ctx context.Context, files []*source.File) error
	// Run reports the rule's findings on p.File.
	Run func(p *Pass) error
	// Inform, if set, returns the rule configured with what a build of
	// the original file showed (its final image's packages, and the
	// libraries and interpreters of the files its steps made), or nil
	// when the rule cannot use it. dockmend verify calls it for a rule
	// that reported a finding marked NeedsBuild. The rule itself never
	// builds anything: the facts are data.
	Inform func(facts *buildfacts.Facts) *Transformer
}

// LevelOf returns the level of the rule's findings with the given check id
// ("" for none): Levels[code], else Level, else severity.Warning.
func (t *Transformer) LevelOf(code string) severity.Level {
	if l, ok := t.Levels[code]; ok && code != "" {
		return l
	}
	if t.Level == severity.None {
		return severity.Warning
	}
	return t.Level
}

// LevelDoc returns the sentence a rule's documentation gives its levels
// in, made from Level and Levels: "Level: warning." or "Level: warning;
// DL3009, DL3015: info." A test checks that every rule's Doc says it.
func (t *Transformer) LevelDoc() string {
	s := "Level: " + t.LevelOf("").String()
	for _, l := range []severity.Level{severity.Error, severity.Warning, severity.Info, severity.Style} {
		var codes []string
		for _, c := range t.Fixes {
			if lv, ok := t.Levels[c]; ok && lv == l && lv != t.LevelOf("") {
				codes = append(codes, c)
			}
		}
		if len(codes) > 0 {
			s += "; " + strings.Join(codes, ", ") + ": " + l.String()
		}
	}
	return s + "."
}

// Summary returns the one-line summary from the first line of Doc.
func (t *Transformer) Summary() string {
	first, _, _ := strings.Cut(t.Doc, "\n")
	return strings.TrimSpace(strings.TrimPrefix(first, t.Name+":"))
}

// Pass is one run of a transformer over one file.
type Pass struct {
	// Context carries cancellation and deadlines.
	Context context.Context
	// File is the parsed file. It must not be modified.
	File *source.File
	// Transformer is the rule being run.
	Transformer *Transformer
	// Report records a finding.
	Report func(Finding)
}

// Err returns the error of the pass's context: non-nil once the run is
// cancelled. Rules check it in their loops over instructions (Walk does),
// so that a large file does not hold up an interrupt; a rule that sees it
// returns it.
func (p *Pass) Err() error {
	if p.Context == nil {
		return nil
	}
	return p.Context.Err()
}

// Walk calls fn for every instruction of the file, ONBUILD triggers
// included, in source order, as source.File.Walk does, but stops as soon
// as the pass's context is done and returns its error.
func (p *Pass) Walk(fn func(*source.Instruction)) error {
	for _, in := range p.File.Instructions {
		if err := p.Err(); err != nil {
			return err
		}
		fn(in)
		if in.Trigger != nil {
			fn(in.Trigger)
		}
	}
	return p.Err()
}

// Finding is one problem a transformer found.
type Finding struct {
	// Rule is the transformer's name; the engine fills it in.
	Rule string
	// Code is the hadolint or BuildKit check id this finding matches, if
	// any ("DL3009"); suppression comments may name it.
	Code string
	// Start and End delimit the bytes the finding is about.
	Start, End int
	// Message says what is wrong, in one sentence without a final period.
	Message string
	// Level grades the finding; a rule leaves it unset (severity.None)
	// for the level its Transformer gives the Code (LevelOf), which the
	// engine fills in, and sets it for a finding graded otherwise (a
	// failed lookup is an error).
	Level severity.Level
	// Fix, if not nil, repairs the problem.
	Fix *Fix
	// Failed marks a finding about work the rule could not do, such as a
	// registry lookup that failed. Commands report such findings even when
	// they only print diffs, and exit with 2.
	Failed bool
	// NeedsBuild marks a finding without a fix that the rule could fix
	// with what a build of the original shows (see Transformer.Inform):
	// the multistage rule, say, when it has no package metadata for the
	// image's release.
	NeedsBuild bool
}

// Fix is a set of edits that repairs one finding.
type Fix struct {
	// Message says what the fix does, as a verb phrase.
	Message string
	// Edits are byte edits against the file the pass saw. They must not
	// overlap one another.
	Edits []Edit
	// Applicability says whether the fix is applied by default.
	Applicability Applicability
	// Isolated marks a fix that changes the file's structure (it splits a
	// stage in two, say): the engine applies it alone in its pass, ahead
	// of every other fix, so that the other rules fix the new structure
	// rather than the old one.
	Isolated bool
}

// Edit replaces the bytes [Start, End) with New.
type Edit = edit.Edit

// Applicability grades a fix, after ruff.
type Applicability int

const (
	// Safe fixes keep the Dockerfile's meaning; they are applied by default.
	Safe Applicability = iota
	// Unsafe fixes may change what the build produces; they are applied
	// only with --unsafe-fixes.
	Unsafe
)

func (a Applicability) String() string {
	if a == Unsafe {
		return "unsafe"
	}
	return "safe"
}

var (
	nameRe = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
	codeRe = regexp.MustCompile(`^(DL\d{4}|[A-Z][A-Za-z]+)$`)
)

// Validate checks a set of transformers: names well formed and unique,
// documentation present, Run set, check ids well formed.
func Validate(ts []*Transformer) error {
	var errs []error
	seen := map[string]bool{}
	for _, t := range ts {
		switch {
		case !nameRe.MatchString(t.Name):
			errs = append(errs, fmt.Errorf("transformer name %q: not a lower-case identifier", t.Name))
		case seen[t.Name]:
			errs = append(errs, fmt.Errorf("transformer %q: duplicate name", t.Name))
		}
		seen[t.Name] = true
		if !strings.HasPrefix(t.Doc, t.Name+": ") || t.Summary() == "" {
			errs = append(errs, fmt.Errorf("transformer %q: Doc must start with %q and a summary", t.Name, t.Name+": "))
		}
		if t.Run == nil {
			errs = append(errs, fmt.Errorf("transformer %q: Run is nil", t.Name))
		}
		for _, c := range t.Fixes {
			if !codeRe.MatchString(c) {
				errs = append(errs, fmt.Errorf("transformer %q: check id %q is not DLnnnn or a BuildKit check name", t.Name, c))
			}
		}
		for c, l := range t.Levels {
			if !slices.Contains(t.Fixes, c) {
				errs = append(errs, fmt.Errorf("transformer %q: Levels grades %q, which is not among its Fixes", t.Name, c))
			}
			if l < severity.Style || l > severity.Error {
				errs = append(errs, fmt.Errorf("transformer %q: Levels grades %q %v, not error, warning, info or style", t.Name, c, l))
			}
		}
		if t.Level < severity.None || t.Level > severity.Error {
			errs = append(errs, fmt.Errorf("transformer %q: Level %v is not error, warning, info or style", t.Name, t.Level))
		}
	}
	return errors.Join(errs...)
}

// MustExtractDoc returns the section "# Transformer NAME" of a package doc
// comment's source (embed doc.go with go:embed), without the heading and
// the comment markers. It panics if the section is missing, so that a
// missing doc is caught by the first test that builds the transformer.
func MustExtractDoc(docGo, name string) string {
	var lines []string
	in := false
	for _, l := range strings.Split(docGo, "\n") {
		if strings.HasPrefix(l, "package ") {
			break
		}
		l = strings.TrimPrefix(l, "//")
		l = strings.TrimPrefix(l, " ")
		if strings.HasPrefix(l, "# ") {
			if in {
				break
			}
			in = strings.TrimSpace(l) == "# Transformer "+name
			continue
		}
		if in {
			lines = append(lines, l)
		}
	}
	doc := strings.TrimSpace(strings.Join(lines, "\n"))
	if doc == "" {
		panic(fmt.Sprintf("transform: no \"# Transformer %s\" section in doc", name))
	}
	return doc
}
