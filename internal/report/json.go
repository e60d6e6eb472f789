package report

import (
	"encoding/json"
	"fmt"
	"io"
)

// JSONFinding is one finding in the JSON report. The field names are
// stable; new fields may be added.
type JSONFinding struct {
	// Path names the file.
	Path string `json:"path"`
	// Line and Column locate the start of the finding, EndLine and
	// EndColumn the position just after it; all 1-based, columns in bytes.
	Line      int `json:"line"`
	Column    int `json:"column"`
	EndLine   int `json:"end_line"`
	EndColumn int `json:"end_column"`
	// Rule is the dockmend rule that reported the finding.
	Rule string `json:"rule"`
	// Code is the hadolint or BuildKit check id, or "".
	Code string `json:"code"`
	// Level is "error", "warning", "info" or "style".
	Level string `json:"level"`
	// Message says what is wrong.
	Message string `json:"message"`
	// Fix is the proposed fix, or null.
	Fix *JSONFix `json:"fix"`
	// Failed is true when the rule could not do its work here, such as a
	// registry lookup that failed; the command then exits with 2.
	Failed bool `json:"failed"`
}

// JSONFix describes a finding's fix in the JSON report.
type JSONFix struct {
	// Message says what the fix does.
	Message string `json:"message"`
	// Applicability is "safe" (applied by dockmend fix) or "unsafe"
	// (applied with --unsafe-fixes).
	Applicability string `json:"applicability"`
}

// JSONError is a file that could not be processed, in the JSON report.
type JSONError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// JSONReport is the document JSON writes.
type JSONReport struct {
	Findings []JSONFinding `json:"findings"`
	Errors   []JSONError   `json:"errors"`
}

// JSON writes the findings of files and the errors as one indented JSON
// object, {"findings": [...], "errors": [...]}; both arrays are present,
// empty when there is nothing to report.
func JSON(w io.Writer, files []File, errs []Error) error {
	r := JSONReport{Findings: []JSONFinding{}, Errors: []JSONError{}}
	for _, f := range files {
		for _, fd := range f.Findings {
			jf := JSONFinding{
				Path: f.Path, Line: fd.Line, Column: fd.Col, EndLine: fd.EndLine, EndColumn: fd.EndCol,
				Rule: fd.Rule, Code: fd.Code, Level: fd.Level.String(), Message: fd.Message, Failed: fd.Failed,
			}
			if fd.Fix != nil {
				jf.Fix = &JSONFix{Message: fd.Fix.Message, Applicability: fd.Fix.Applicability.String()}
			}
			r.Findings = append(r.Findings, jf)
		}
	}
	for _, e := range errs {
		r.Errors = append(r.Errors, JSONError(e))
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("writing JSON report: %w", err)
	}
	return nil
}
