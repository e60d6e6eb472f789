package report

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/transform"
)

// hostileFile has findings whose messages hold what each format must
// escape: newlines, %, commas, colons, quotes, markup, a workflow command.
func hostileFile() File {
	const data = "FROM evil\nRUN x\n"
	msg := "a 100% \"bad\" <image>, named a:b &c\n::error file=x::injected\r"
	f := File{Path: "/work/svc,1/Dockerfile", Data: []byte(data), Findings: []engine.Finding{
		finding(data, "pin", "", msg, 5, 9, nil),
		finding(data, "apt", "DL3009", "style finding", 10, 15, &transform.Fix{Message: "fix"}),
	}}
	f.Findings[0].Level, f.Findings[1].Level = severity.Error, severity.Style
	return f
}

// githubLine is the grammar of a workflow command, from GitHub's
// "Workflow commands for GitHub Actions": ::COMMAND PARAMETERS::MESSAGE,
// parameters key=value separated by commas.
var githubLine = regexp.MustCompile(`^::(error|warning|notice)(?: ([^:]*))?::(.*)$`)

// validateGitHub checks workflow-command output line by line against the
// documented shape: known commands and parameters, line numbers that are
// positive integers, and values escaped as the runner unescapes them (%25,
// %0D, %0A; in parameters also %3A and %2C). It returns the problems and
// the unescaped messages.
func validateGitHub(out string) (problems, messages []string) {
	escape := regexp.MustCompile(`%(?:25|0D|0A|3A|2C)`)
	unescape := strings.NewReplacer("%25", "%", "%0D", "\r", "%0A", "\n", "%3A", ":", "%2C", ",")
	for i, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		bad := func(format string, args ...any) {
			problems = append(problems, fmt.Sprintf("line %d %q: %s", i+1, line, fmt.Sprintf(format, args...)))
		}
		m := githubLine.FindStringSubmatch(line)
		if m == nil {
			bad("not a workflow command ::error|warning|notice [params]::message")
			continue
		}
		if strings.Contains(escape.ReplaceAllString(m[3], ""), "%") || strings.Contains(m[3], "\r") {
			bad("message not escaped")
		}
		messages = append(messages, unescape.Replace(m[3]))
		if m[2] == "" {
			continue
		}
		for _, kv := range strings.Split(m[2], ",") {
			k, v, ok := strings.Cut(kv, "=")
			switch {
			case !ok:
				bad("parameter %q is not key=value", kv)
			case !regexp.MustCompile(`^(file|line|endLine|col|endColumn|title)$`).MatchString(k):
				bad("unknown parameter %q", k)
			case k != "file" && k != "title" && !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(v):
				bad("%s=%q is not a positive integer", k, v)
			case strings.Contains(escape.ReplaceAllString(v, ""), "%"):
				bad("parameter %s not escaped", k)
			}
		}
	}
	return problems, messages
}

func TestGitHub(t *testing.T) {
	var b bytes.Buffer
	errs := []Error{{Path: "/work/bad/Dockerfile", Message: "bad/Dockerfile:2: binary file"}, {Message: "cannot reach registry r: 50% lost\nmore"}}
	if err := GitHub(&b, []File{sampleFile(), hostileFile()}, errs, "/work"); err != nil {
		t.Fatal(err)
	}
	problems, messages := validateGitHub(b.String())
	for _, p := range problems {
		t.Error(p)
	}
	want := `::warning file=svc/Dockerfile,line=1,col=6,endLine=1,endColumn=15,title=dockmend pin::debian:12 is not pinned to a digest
::notice file=svc/Dockerfile,line=2,col=21,endLine=2,endColumn=36,title=dockmend apt[DL3015]::apt-get install without --no-install-recommends
::warning file=svc/Dockerfile,line=2,col=21,endLine=2,endColumn=36,title=dockmend apt[DL3014]::apt-get install without -y [*]
::error file=svc%2C1/Dockerfile,line=1,col=6,endLine=1,endColumn=10,title=dockmend pin::a 100%25 "bad" <image>, named a:b &c%0A::error file=x::injected%0D
::notice file=svc%2C1/Dockerfile,line=2,col=1,endLine=2,endColumn=6,title=dockmend apt[DL3009]::style finding [*]
::error file=bad/Dockerfile,title=dockmend::bad/Dockerfile:2: binary file
::error title=dockmend::cannot reach registry r: 50%25 lost%0Amore
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	if got := messages[3]; got != hostileFile().Findings[0].Message {
		t.Errorf("message after the runner unescapes it: %q", got)
	}
	// The validator catches what it looks for.
	problems, _ = validateGitHub("::warn::x\n::error file=a,b::x\n::error line=0::x\n::notice::100%\n::error title=a%2::x\n::error::a\rb\n")
	for i, want := range []string{"not a workflow command", "not key=value", "not a positive integer", "message not escaped", "parameter title not escaped", "message not escaped"} {
		if i >= len(problems) || !strings.Contains(problems[i], want) {
			t.Errorf("validator problem %d: %v, want %q", i, problems, want)
		}
	}
}

// gitlabSchema compiles the Code Quality schema of testdata.
func gitlabSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("testdata/gitlab-code-quality.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("gitlab-code-quality.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("gitlab-code-quality.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// validateGitLab validates a Code Quality report against the schema, and
// checks what a schema cannot: that fingerprints are unique.
func validateGitLab(t *testing.T, s *jsonschema.Schema, out []byte) []map[string]any {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(doc); err != nil {
		t.Errorf("not a Code Quality report: %v\n%s", err, out)
	}
	var issues []map[string]any
	if err := json.Unmarshal(out, &issues); err != nil {
		t.Fatal(err)
	}
	seen := map[any]bool{}
	for _, is := range issues {
		if seen[is["fingerprint"]] {
			t.Errorf("fingerprint %v twice", is["fingerprint"])
		}
		seen[is["fingerprint"]] = true
	}
	return issues
}

func TestGitLab(t *testing.T) {
	s := gitlabSchema(t)
	// Two equal findings on different lines, and the hostile ones.
	const data = "FROM a\nFROM a\n"
	twice := File{Path: "twice/Dockerfile", Data: []byte(data), Findings: []engine.Finding{
		finding(data, "pin", "", "a is not pinned", 5, 6, nil), finding(data, "pin", "", "a is not pinned", 12, 13, nil)}}
	twice.Findings[0].Level, twice.Findings[1].Level = severity.Warning, severity.Warning
	var b bytes.Buffer
	if err := GitLab(&b, []File{sampleFile(), hostileFile(), twice}, "/work"); err != nil {
		t.Fatal(err)
	}
	issues := validateGitLab(t, s, b.Bytes())
	if len(issues) != 7 {
		t.Fatalf("%d issues, want 7", len(issues))
	}
	var got []string
	for _, is := range issues {
		loc := is["location"].(map[string]any)
		got = append(got, fmt.Sprintf("%v %v %v:%v", is["check_name"], is["severity"], loc["path"], loc["lines"].(map[string]any)["begin"]))
	}
	want := "pin major svc/Dockerfile:1 apt/DL3015 minor svc/Dockerfile:2 apt/DL3014 major svc/Dockerfile:2 pin critical svc,1/Dockerfile:1 apt/DL3009 info svc,1/Dockerfile:2 pin major twice/Dockerfile:1 pin major twice/Dockerfile:2"
	if strings.Join(got, " ") != want {
		t.Errorf("issues %s\nwant   %s", strings.Join(got, " "), want)
	}
	// A fingerprint stays when the finding moves to another line.
	moved := sampleFile()
	moved.Data = append([]byte("# a comment\n"), moved.Data...)
	for i := range moved.Findings {
		moved.Findings[i].Start += 12
		moved.Findings[i].End += 12
		moved.Findings[i].Line++
	}
	var m bytes.Buffer
	if err := GitLab(&m, []File{moved}, "/work"); err != nil {
		t.Fatal(err)
	}
	for i, is := range validateGitLab(t, s, m.Bytes()) {
		if is["fingerprint"] != issues[i]["fingerprint"] {
			t.Errorf("issue %d: the fingerprint changed when its line moved", i)
		}
	}
	// No findings: an empty array.
	b.Reset()
	if err := GitLab(&b, nil, "/work"); err != nil || strings.TrimSpace(b.String()) != "[]" {
		t.Errorf("empty report %q, %v", b.String(), err)
	}
	// The schema rejects what GitLab rejects.
	for _, bad := range []string{`[{"description": "x", "check_name": "c", "fingerprint": "f", "severity": "high", "location": {"path": "a", "lines": {"begin": 1}}}]`,
		`[{"description": "x", "check_name": "c", "fingerprint": "f", "severity": "info", "location": {"path": "./a", "lines": {"begin": 1}}}]`,
		`[{"description": "x", "check_name": "c", "severity": "info", "location": {"path": "a", "lines": {"begin": 1}}}]`,
		`[{"description": "x", "check_name": "c", "fingerprint": "f", "severity": "info", "location": {"path": "a"}}]`} {
		doc, _ := jsonschema.UnmarshalJSON(strings.NewReader(bad))
		if s.Validate(doc) == nil {
			t.Errorf("the schema accepts %s", bad)
		}
	}
}

// checkstyleDoc is the documented shape of a Checkstyle report, decoded
// strictly: the root <checkstyle version>, <file name> elements, <error>
// elements with line, column, severity, message and source.
type checkstyleDoc struct {
	XMLName xml.Name `xml:"checkstyle"`
	Version string   `xml:"version,attr"`
	Files   []struct {
		Name   string `xml:"name,attr"`
		Errors []struct {
			Line     string `xml:"line,attr"`
			Column   string `xml:"column,attr"`
			Severity string `xml:"severity,attr"`
			Message  string `xml:"message,attr"`
			Source   string `xml:"source,attr"`
		} `xml:"error"`
		Other []xml.Name `xml:",any"`
	} `xml:"file"`
	Other []xml.Name `xml:",any"`
}

// validateCheckstyle checks a Checkstyle report against the format's
// shape (Checkstyle's XMLLogger; the severities are error, warning, info
// and ignore) and returns it decoded.
func validateCheckstyle(t *testing.T, out []byte) checkstyleDoc {
	t.Helper()
	if !bytes.HasPrefix(out, []byte(xml.Header)) {
		t.Errorf("no XML declaration: %.60s", out)
	}
	var doc checkstyleDoc
	dec := xml.NewDecoder(bytes.NewReader(out))
	dec.Strict = true
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("not XML: %v\n%s", err, out)
	}
	if doc.Version == "" || len(doc.Other) > 0 {
		t.Errorf("root: version %q, other elements %v", doc.Version, doc.Other)
	}
	for _, f := range doc.Files {
		if f.Name == "" || len(f.Other) > 0 {
			t.Errorf("file %q: other elements %v", f.Name, f.Other)
		}
		for _, e := range f.Errors {
			if !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(e.Line) || (e.Column != "" && !regexp.MustCompile(`^[1-9][0-9]*$`).MatchString(e.Column)) {
				t.Errorf("%s: line %q column %q", f.Name, e.Line, e.Column)
			}
			if !regexp.MustCompile(`^(error|warning|info|ignore)$`).MatchString(e.Severity) || e.Message == "" || e.Source == "" {
				t.Errorf("%s: error %+v", f.Name, e)
			}
		}
	}
	return doc
}

func TestCheckstyle(t *testing.T) {
	var b bytes.Buffer
	errs := []Error{{Path: "bad/Dockerfile", Message: "bad/Dockerfile:2: binary file"}, {Message: "cannot reach registry r"}}
	if err := Checkstyle(&b, []File{sampleFile(), hostileFile(), {Path: "clean/Dockerfile"}}, errs, "/work"); err != nil {
		t.Fatal(err)
	}
	doc := validateCheckstyle(t, b.Bytes())
	var got []string
	for _, f := range doc.Files {
		for _, e := range f.Errors {
			got = append(got, fmt.Sprintf("%s:%s:%s %s %s", f.Name, e.Line, e.Column, e.Severity, e.Source))
		}
	}
	want := []string{"svc/Dockerfile:1:6 warning dockmend.pin", "svc/Dockerfile:2:21 info dockmend.apt.DL3015", "svc/Dockerfile:2:21 warning dockmend.apt.DL3014",
		"svc,1/Dockerfile:1:6 error dockmend.pin", "svc,1/Dockerfile:2:1 info dockmend.apt.DL3009", "bad/Dockerfile:1: error dockmend", "dockmend:1: error dockmend"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if m := doc.Files[1].Errors[0].Message; m != hostileFile().Findings[0].Message {
		t.Errorf("message after parsing: %q", m)
	}
}

func TestStatistics(t *testing.T) {
	f := sampleFile()
	f.Findings = append(f.Findings, f.Findings[2], f.Findings[0])
	stats := Statistics([]File{f, hostileFile()})
	var b bytes.Buffer
	if err := WriteStatistics(&b, stats); err != nil {
		t.Fatal(err)
	}
	want := `2  apt[DL3014]  warning  2 fixable
2  pin          warning  -
1  pin          error    -
1  apt[DL3015]  info     1 with --unsafe-fixes
1  apt[DL3009]  style    1 fixable
`
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}
	b.Reset()
	if err := StatisticsJSON(&b, stats[:1]); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(b.String()), ""); got != `[{"rule":"apt","code":"DL3014","level":"warning","count":2,"fixable":2,"unsafe":0}]` {
		t.Errorf("JSON %s", got)
	}
}
