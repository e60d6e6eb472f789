package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"unicode/utf8"

	"github.com/dockmend/dockmend/internal/edit"
	"github.com/dockmend/dockmend/transform"
)

// Tool identifies the program in a SARIF report.
type Tool struct {
	Name           string
	Version        string
	InformationURI string
}

// The SARIF 2.1.0 objects dockmend writes: the subset of the schema that
// GitHub code scanning reads.
type (
	sarifLog struct {
		Schema  string     `json:"$schema"`
		Version string     `json:"version"`
		Runs    []sarifRun `json:"runs"`
	}
	sarifRun struct {
		Tool       sarifTool     `json:"tool"`
		Results    []sarifResult `json:"results"`
		ColumnKind string        `json:"columnKind"`
	}
	sarifTool struct {
		Driver sarifDriver `json:"driver"`
	}
	sarifDriver struct {
		Name           string      `json:"name"`
		Version        string      `json:"version,omitempty"`
		InformationURI string      `json:"informationUri,omitempty"`
		Rules          []sarifRule `json:"rules"`
	}
	sarifRule struct {
		ID                   string         `json:"id"`
		Name                 string         `json:"name"`
		ShortDescription     sarifText      `json:"shortDescription"`
		FullDescription      sarifText      `json:"fullDescription"`
		Help                 sarifText      `json:"help"`
		DefaultConfiguration sarifRuleConf  `json:"defaultConfiguration"`
		Properties           map[string]any `json:"properties"`
	}
	sarifRuleConf struct {
		Level   string `json:"level"`
		Enabled bool   `json:"enabled"`
	}
	sarifText struct {
		Text string `json:"text"`
	}
	sarifResult struct {
		RuleID     string          `json:"ruleId"`
		RuleIndex  int             `json:"ruleIndex"`
		Level      string          `json:"level"`
		Message    sarifText       `json:"message"`
		Locations  []sarifLocation `json:"locations"`
		Fixes      []sarifFix      `json:"fixes,omitempty"`
		Properties map[string]any  `json:"properties,omitempty"`
	}
	sarifLocation struct {
		PhysicalLocation sarifPhysical `json:"physicalLocation"`
	}
	sarifPhysical struct {
		ArtifactLocation sarifArtifact `json:"artifactLocation"`
		Region           sarifRegion   `json:"region"`
	}
	sarifArtifact struct {
		URI string `json:"uri"`
	}
	sarifRegion struct {
		StartLine   int `json:"startLine"`
		StartColumn int `json:"startColumn"`
		EndLine     int `json:"endLine"`
		EndColumn   int `json:"endColumn"`
	}
	sarifFix struct {
		Description     sarifText             `json:"description"`
		ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
		Properties      map[string]any        `json:"properties"`
	}
	sarifArtifactChange struct {
		ArtifactLocation sarifArtifact      `json:"artifactLocation"`
		Replacements     []sarifReplacement `json:"replacements"`
	}
	sarifReplacement struct {
		DeletedRegion   sarifRegion `json:"deletedRegion"`
		InsertedContent *sarifText  `json:"insertedContent,omitempty"`
	}
)

// SARIFSchema is the schema URI written in the report.
const SARIFSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// SARIF writes the findings of files as a SARIF 2.1.0 log with one run.
// The driver lists rules, every known rule, so that each result's ruleIndex
// points into it. Artifact URIs are the files' paths relative to wd (the
// working directory), with forward slashes; a file outside wd gets an
// absolute file URI. Findings of rules missing from rules are an error.
func SARIF(w io.Writer, files []File, rules []*transform.Transformer, tool Tool, wd string) error {
	run := sarifRun{
		Tool:       sarifTool{Driver: sarifDriver{Name: tool.Name, Version: tool.Version, InformationURI: tool.InformationURI, Rules: []sarifRule{}}},
		Results:    []sarifResult{},
		ColumnKind: "unicodeCodePoints",
	}
	index := map[string]int{}
	for i, t := range rules {
		index[t.Name] = i
		fixes := t.Fixes
		if fixes == nil {
			fixes = []string{}
		}
		run.Tool.Driver.Rules = append(run.Tool.Driver.Rules, sarifRule{
			ID: t.Name, Name: t.Name,
			ShortDescription:     sarifText{t.Summary()},
			FullDescription:      sarifText{t.Doc},
			Help:                 sarifText{t.Doc},
			DefaultConfiguration: sarifRuleConf{Level: t.LevelOf("").SARIF(), Enabled: t.Default},
			Properties:           map[string]any{"fixes": fixes, "tags": []string{"dockerfile"}},
		})
	}
	for _, f := range files {
		uri := artifactURI(f.Path, wd)
		for _, fd := range f.Findings {
			i, ok := index[fd.Rule]
			if !ok {
				return fmt.Errorf("writing SARIF report: rule %q of a finding in %s is not among the known rules", fd.Rule, f.Path)
			}
			r := sarifResult{
				RuleID: fd.Rule, RuleIndex: i, Level: fd.Level.SARIF(),
				Message: sarifText{fd.Message},
				Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
					ArtifactLocation: sarifArtifact{uri},
					Region:           region(f.Data, fd.Start, fd.End),
				}}},
			}
			r.Properties = map[string]any{"level": fd.Level.String()}
			if fd.Code != "" {
				r.Properties["code"] = fd.Code
			}
			if fd.Fix != nil {
				r.Fixes = []sarifFix{fix(f.Data, uri, fd.Fix)}
			}
			run.Results = append(run.Results, r)
		}
	}
	data, err := json.MarshalIndent(sarifLog{Schema: SARIFSchema, Version: "2.1.0", Runs: []sarifRun{run}}, "", "  ")
	if err != nil {
		return fmt.Errorf("writing SARIF report: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("writing SARIF report: %w", err)
	}
	return nil
}

func fix(data []byte, uri string, fx *transform.Fix) sarifFix {
	edits := append([]edit.Edit(nil), fx.Edits...)
	edit.Sort(edits)
	change := sarifArtifactChange{ArtifactLocation: sarifArtifact{uri}, Replacements: []sarifReplacement{}}
	for _, e := range edits {
		r := sarifReplacement{DeletedRegion: region(data, e.Start, e.End)}
		if e.New != "" {
			r.InsertedContent = &sarifText{e.New}
		}
		change.Replacements = append(change.Replacements, r)
	}
	return sarifFix{
		Description:     sarifText{fx.Message},
		ArtifactChanges: []sarifArtifactChange{change},
		Properties:      map[string]any{"applicability": fx.Applicability.String()},
	}
}

// region returns the SARIF region of the bytes [start, end) of data, with
// columns counted in code points; the end column is the one just after the
// last character.
func region(data []byte, start, end int) sarifRegion {
	sl, sc := position(data, start)
	el, ec := position(data, end)
	return sarifRegion{StartLine: sl, StartColumn: sc, EndLine: el, EndColumn: ec}
}

// position returns the 1-based line and code-point column of a byte offset.
func position(data []byte, off int) (line, col int) {
	off = min(max(off, 0), len(data))
	lineStart := bytes.LastIndexByte(data[:off], '\n') + 1
	return bytes.Count(data[:lineStart], []byte{'\n'}) + 1, utf8.RuneCount(data[lineStart:off]) + 1
}

// artifactURI returns the URI of a file for the report: relative to wd
// with forward slashes when the file is inside wd, else an absolute file
// URI.
func artifactURI(path, wd string) string {
	if !filepath.IsAbs(path) {
		return (&url.URL{Path: filepath.ToSlash(filepath.Clean(path))}).String()
	}
	if rel, err := filepath.Rel(wd, path); wd != "" && err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return (&url.URL{Path: filepath.ToSlash(rel)}).String()
	}
	p := filepath.ToSlash(path)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows path: file:///C:/...
	}
	return (&url.URL{Scheme: "file", Path: p}).String()
}
