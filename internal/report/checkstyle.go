package report

import (
	"encoding/xml"
	"fmt"
	"io"

	"github.com/dockmend/dockmend/internal/severity"
)

// The elements of a Checkstyle XML report, as Checkstyle's XMLLogger
// writes them and Jenkins' Warnings Next Generation, SonarQube and many
// CI systems read them (checkstyle.org, "Command Line": -f xml).
type (
	checkstyleReport struct {
		XMLName xml.Name         `xml:"checkstyle"`
		Version string           `xml:"version,attr"`
		Files   []checkstyleFile `xml:"file"`
	}
	checkstyleFile struct {
		Name   string            `xml:"name,attr"`
		Errors []checkstyleError `xml:"error"`
	}
	checkstyleError struct {
		Line     int    `xml:"line,attr"`
		Column   int    `xml:"column,attr,omitempty"`
		Severity string `xml:"severity,attr"`
		Message  string `xml:"message,attr"`
		Source   string `xml:"source,attr"`
	}
)

// Checkstyle writes the findings of files and the errors as a Checkstyle
// XML report: one <file> per file with findings or an error, one <error>
// per finding, its severity the level (style is info), its source
// "dockmend.RULE" or "dockmend.RULE.CODE". A file that could not be
// processed gets an <error> of severity error from "dockmend"; an error
// that concerns no file goes under the file name "dockmend". Paths are
// relative to wd; columns count code points.
func Checkstyle(w io.Writer, files []File, errs []Error, wd string) error {
	r := checkstyleReport{Version: "4.3"}
	index := map[string]int{}
	add := func(name string, e checkstyleError) {
		i, ok := index[name]
		if !ok {
			i = len(r.Files)
			index[name] = i
			r.Files = append(r.Files, checkstyleFile{Name: name})
		}
		r.Files[i].Errors = append(r.Files[i].Errors, e)
	}
	for _, f := range files {
		name := displayPath(f.Path, wd)
		for _, fd := range f.Findings {
			src := "dockmend." + fd.Rule
			if fd.Code != "" {
				src += "." + fd.Code
			}
			msg := fd.Message
			if fd.Fixable(f.UnsafeFixes) {
				msg += " [*]"
			}
			add(name, checkstyleError{Line: fd.Line, Column: region(f.Data, fd.Start, fd.End).StartColumn,
				Severity: checkstyleSeverity(fd.Level), Message: msg, Source: src})
		}
	}
	for _, e := range errs {
		name := "dockmend"
		if e.Path != "" {
			name = displayPath(e.Path, wd)
		}
		add(name, checkstyleError{Line: 1, Severity: "error", Message: e.Message, Source: "dockmend"})
	}
	data, err := xml.MarshalIndent(r, "", "  ")
	if err != nil {
		return fmt.Errorf("writing Checkstyle report: %w", err)
	}
	if _, err := fmt.Fprintf(w, "%s%s\n", xml.Header, data); err != nil {
		return fmt.Errorf("writing Checkstyle report: %w", err)
	}
	return nil
}

// checkstyleSeverity returns the Checkstyle severity of a level.
func checkstyleSeverity(l severity.Level) string {
	switch l {
	case severity.Error:
		return "error"
	case severity.Warning:
		return "warning"
	}
	return "info"
}
