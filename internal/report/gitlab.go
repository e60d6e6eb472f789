package report

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"

	"github.com/dockmend/dockmend/internal/severity"
)

// The objects of a GitLab Code Quality report: the fields GitLab's
// documentation lists ("Code Quality report format",
// docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format), a
// subset of Code Climate's issue format.
type (
	gitlabIssue struct {
		Description string         `json:"description"`
		CheckName   string         `json:"check_name"`
		Fingerprint string         `json:"fingerprint"`
		Severity    string         `json:"severity"`
		Location    gitlabLocation `json:"location"`
		Type        string         `json:"type"`
	}
	gitlabLocation struct {
		Path  string      `json:"path"`
		Lines gitlabLines `json:"lines"`
	}
	gitlabLines struct {
		Begin int `json:"begin"`
		End   int `json:"end"`
	}
)

// GitLab writes the findings of files as a GitLab Code Quality report: a
// JSON array of issues, which GitLab shows in the merge request. check_name
// is the rule (rule/CODE for a hadolint check), severity maps the level
// (error critical, warning major, info minor, style info), paths are
// relative to wd (the repository, where the job runs), and the fingerprint
// is a hash of the path, rule, code, message and the finding's text, with
// a count for repeats: stable when lines move, unique within the report
// (GitLab shows one issue per fingerprint).
func GitLab(w io.Writer, files []File, wd string) error {
	issues := []gitlabIssue{}
	seen := map[string]int{}
	for _, f := range files {
		path := displayPath(f.Path, wd)
		for _, fd := range f.Findings {
			name := fd.Rule
			if fd.Code != "" {
				name += "/" + fd.Code
			}
			start, end := min(max(fd.Start, 0), len(f.Data)), min(max(fd.End, 0), len(f.Data))
			key := fmt.Sprintf("%q %q %q %q", path, name, fd.Message, f.Data[start:max(start, end)])
			seen[key]++
			sum := sha256.Sum256(fmt.Appendf(nil, "%s %d", key, seen[key]))
			endLine := fd.EndLine
			if endLine < fd.Line {
				endLine = fd.Line
			}
			desc := fd.Message
			if fd.Fixable(f.UnsafeFixes) {
				desc += " [*]"
			}
			issues = append(issues, gitlabIssue{
				Description: desc, CheckName: name, Fingerprint: hex.EncodeToString(sum[:16]),
				Severity: gitlabSeverity(fd.Level),
				Location: gitlabLocation{Path: path, Lines: gitlabLines{Begin: fd.Line, End: endLine}},
				Type:     "issue",
			})
		}
	}
	data, err := json.MarshalIndent(issues, "", "  ")
	if err != nil {
		return fmt.Errorf("writing GitLab Code Quality report: %w", err)
	}
	if _, err := w.Write(append(data, '\n')); err != nil {
		return fmt.Errorf("writing GitLab Code Quality report: %w", err)
	}
	return nil
}

// gitlabSeverity returns the Code Quality severity of a level.
func gitlabSeverity(l severity.Level) string {
	switch l {
	case severity.Error:
		return "critical"
	case severity.Warning:
		return "major"
	case severity.Info:
		return "minor"
	}
	return "info"
}
