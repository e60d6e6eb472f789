package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/transform"
)

var (
	aptRule = &transform.Transformer{Name: "apt", Doc: "apt: clean up apt-get\n\nLonger text.", Default: true, Fixes: []string{"DL3009", "DL3015"}}
	pinRule = &transform.Transformer{Name: "pin", Doc: "pin: pin base images to digests", Default: true}
)

// finding builds a finding at byte offsets of data, placed as the engine
// places it.
func finding(data string, rule, code, msg string, start, end int, fix *transform.Fix) engine.Finding {
	pos := func(off int) (int, int) {
		line := strings.Count(data[:off], "\n") + 1
		return line, off - (strings.LastIndex(data[:off], "\n") + 1) + 1
	}
	l, c := pos(start)
	el, ec := pos(end)
	return engine.Finding{
		Finding: transform.Finding{Rule: rule, Code: code, Start: start, End: end, Message: msg, Fix: fix},
		Path:    "x", Line: l, Col: c, EndLine: el, EndCol: ec,
	}
}

const sample = "FROM debian:12\nRUN echo \"héllo\" && apt-get install curl\n"

func sampleFile() File {
	i := strings.Index(sample, "apt-get")
	return File{
		Path: "svc/Dockerfile",
		Data: []byte(sample),
		Findings: []engine.Finding{
			finding(sample, "pin", "", "debian:12 is not pinned to a digest", 5, 14, nil),
			finding(sample, "apt", "DL3015", "apt-get install without --no-install-recommends", i, i+15,
				&transform.Fix{Message: "add --no-install-recommends", Applicability: transform.Unsafe,
					Edits: []transform.Edit{{Start: i + 15, End: i + 15, New: " --no-install-recommends"}}}),
			finding(sample, "apt", "DL3014", "apt-get install without -y", i, i+15,
				&transform.Fix{Message: "add -y", Edits: []transform.Edit{{Start: i + 15, End: i + 15, New: " -y"}}}),
		},
	}
}

func TestText(t *testing.T) {
	tests := []struct {
		unsafe bool
		want   string
		counts string
	}{
		{false, `svc/Dockerfile:1:6: pin: debian:12 is not pinned to a digest
svc/Dockerfile:2:22: apt[DL3015]: apt-get install without --no-install-recommends
svc/Dockerfile:2:22: apt[DL3014]: apt-get install without -y [*]
`, "3 findings, 1 fixable with `dockmend fix`, 1 more with --unsafe-fixes"},
		{true, `svc/Dockerfile:1:6: pin: debian:12 is not pinned to a digest
svc/Dockerfile:2:22: apt[DL3015]: apt-get install without --no-install-recommends [*]
svc/Dockerfile:2:22: apt[DL3014]: apt-get install without -y [*]
`, "3 findings, 2 fixable with `dockmend fix --unsafe-fixes`"},
	}
	for _, tt := range tests {
		f := sampleFile()
		f.UnsafeFixes = tt.unsafe
		var b bytes.Buffer
		if err := Text(&b, f); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("unsafe=%v: got\n%s\nwant\n%s", tt.unsafe, b.String(), tt.want)
		}
		var c Counts
		c.Add(f)
		c.Add(File{Path: "clean/Dockerfile"})
		if c.String() != tt.counts {
			t.Errorf("unsafe=%v: summary %q, want %q", tt.unsafe, c.String(), tt.counts)
		}
	}
	for _, tt := range []struct {
		c    Counts
		want string
	}{
		{Counts{Files: 1}, "no findings in 1 file"},
		{Counts{Files: 3}, "no findings in 3 files"},
		{Counts{Files: 1, Findings: 1}, "1 finding"},
		{Counts{Files: 1, Findings: 2, Fixable: 2}, "2 findings, 2 fixable with `dockmend fix`"},
	} {
		if got := tt.c.String(); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.c, got, tt.want)
		}
	}
}

func TestJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSON(&b, []File{sampleFile()}, []Error{{Path: "bad/Dockerfile", Message: "bad/Dockerfile: binary file (contains NUL bytes)"}}); err != nil {
		t.Fatal(err)
	}
	var got JSONReport
	dec := json.NewDecoder(&b)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatal(err)
	}
	want := JSONReport{
		Findings: []JSONFinding{
			{Path: "svc/Dockerfile", Line: 1, Column: 6, EndLine: 1, EndColumn: 15, Rule: "pin", Message: "debian:12 is not pinned to a digest"},
			{Path: "svc/Dockerfile", Line: 2, Column: 22, EndLine: 2, EndColumn: 37, Rule: "apt", Code: "DL3015", Message: "apt-get install without --no-install-recommends",
				Fix: &JSONFix{Message: "add --no-install-recommends", Applicability: "unsafe"}},
			{Path: "svc/Dockerfile", Line: 2, Column: 22, EndLine: 2, EndColumn: 37, Rule: "apt", Code: "DL3014", Message: "apt-get install without -y",
				Fix: &JSONFix{Message: "add -y", Applicability: "safe"}},
		},
		Errors: []JSONError{{Path: "bad/Dockerfile", Message: "bad/Dockerfile: binary file (contains NUL bytes)"}},
	}
	gotJSON, _ := json.Marshal(got)
	wantJSON, _ := json.Marshal(want)
	if string(gotJSON) != string(wantJSON) {
		t.Errorf("got  %s\nwant %s", gotJSON, wantJSON)
	}

	b.Reset()
	if err := JSON(&b, nil, nil); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(strings.Fields(b.String()), ""); got != `{"findings":[],"errors":[]}` {
		t.Errorf("empty report: %s", got)
	}
}

func TestSARIF(t *testing.T) {
	var b bytes.Buffer
	tool := Tool{Name: "dockmend", Version: "v1.0.0", InformationURI: "https://github.com/dockmend/dockmend"}
	if err := SARIF(&b, []File{sampleFile()}, []*transform.Transformer{aptRule, pinRule}, tool, "/work"); err != nil {
		t.Fatal(err)
	}
	var doc map[string]any
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	for _, problem := range validateSARIF(doc) {
		t.Error(problem)
	}

	run := doc["runs"].([]any)[0].(map[string]any)
	results := run["results"].([]any)
	if len(results) != 3 {
		t.Fatalf("%d results, want 3", len(results))
	}
	// The second line has a two-byte é before the finding: the code-point
	// column is one less than the byte column of the text format.
	r := results[1].(map[string]any)
	loc := r["locations"].([]any)[0].(map[string]any)["physicalLocation"].(map[string]any)
	if uri := loc["artifactLocation"].(map[string]any)["uri"]; uri != "svc/Dockerfile" {
		t.Errorf("uri %v", uri)
	}
	reg := loc["region"].(map[string]any)
	if reg["startLine"] != 2.0 || reg["startColumn"] != 21.0 || reg["endLine"] != 2.0 || reg["endColumn"] != 36.0 {
		t.Errorf("region %v, want 2:21-2:36", reg)
	}
	if r["ruleId"] != "apt" || r["ruleIndex"] != 0.0 {
		t.Errorf("rule %v/%v", r["ruleId"], r["ruleIndex"])
	}

	if err := SARIF(&b, []File{sampleFile()}, []*transform.Transformer{aptRule}, tool, "/work"); err == nil {
		t.Error("a finding of an unlisted rule: no error")
	}
}

func TestArtifactURI(t *testing.T) {
	tests := []struct{ path, wd, want string }{
		{"svc/Dockerfile", "/work", "svc/Dockerfile"},
		{"./svc//Dockerfile", "/work", "svc/Dockerfile"},
		{"/work/svc/Dockerfile", "/work", "svc/Dockerfile"},
		{"/elsewhere/Dockerfile", "/work", "file:///elsewhere/Dockerfile"},
		{"../x/Dockerfile", "/work", "../x/Dockerfile"},
		{"my app/Dockerfile", "/work", "my%20app/Dockerfile"},
		{"a:b/Dockerfile", "/work", "./a:b/Dockerfile"},
	}
	for _, tt := range tests {
		if got := artifactURI(tt.path, tt.wd); got != tt.want {
			t.Errorf("artifactURI(%q, %q) = %q, want %q", tt.path, tt.wd, got, tt.want)
		}
	}
}

// validateSARIF checks a decoded SARIF log against the parts of the
// SARIF 2.1.0 JSON schema (sarif-schema-2.1.0.json) that dockmend's output
// uses: required properties, enumerations and minimums, and that each
// result's ruleIndex names its ruleId. It returns the problems found.
func validateSARIF(doc map[string]any) []string {
	var problems []string
	bad := func(path, format string, args ...any) {
		problems = append(problems, path+": "+fmt.Sprintf(format, args...))
	}
	obj := func(path string, v any, required ...string) map[string]any {
		m, ok := v.(map[string]any)
		if !ok {
			bad(path, "not an object")
			return nil
		}
		for _, r := range required {
			if _, ok := m[r]; !ok {
				bad(path, "missing required property %q", r)
			}
		}
		return m
	}
	arr := func(path string, v any) []any {
		a, ok := v.([]any)
		if !ok {
			bad(path, "not an array")
		}
		return a
	}
	str := func(path string, v any, enum ...string) {
		s, ok := v.(string)
		if !ok {
			bad(path, "not a string")
			return
		}
		if len(enum) > 0 {
			for _, e := range enum {
				if s == e {
					return
				}
			}
			bad(path, "%q not one of %v", s, enum)
		}
	}
	intMin := func(path string, v any, min float64) {
		n, ok := v.(float64)
		if !ok || n != float64(int(n)) || n < min {
			bad(path, "%v is not an integer >= %v", v, min)
		}
	}
	message := func(path string, v any) {
		m := obj(path, v)
		if m == nil {
			return
		}
		if _, ok := m["text"]; !ok {
			if _, ok := m["id"]; !ok {
				bad(path, "message needs text or id")
			}
		}
		if t, ok := m["text"]; ok {
			str(path+".text", t)
		}
	}
	region := func(path string, v any) {
		m := obj(path, v)
		for _, k := range []string{"startLine", "startColumn", "endLine", "endColumn"} {
			if x, ok := m[k]; ok {
				intMin(path+"."+k, x, 1)
			}
		}
	}
	artifactLocation := func(path string, v any) {
		m := obj(path, v)
		if u, ok := m["uri"]; ok {
			str(path+".uri", u)
		}
	}

	obj("sarifLog", doc, "version", "runs")
	str("version", doc["version"], "2.1.0")
	for i, rv := range arr("runs", doc["runs"]) {
		rp := fmt.Sprintf("runs[%d]", i)
		run := obj(rp, rv, "tool")
		if ck, ok := run["columnKind"]; ok {
			str(rp+".columnKind", ck, "utf16CodeUnits", "unicodeCodePoints")
		}
		tool := obj(rp+".tool", run["tool"], "driver")
		driver := obj(rp+".tool.driver", tool["driver"], "name")
		str(rp+".tool.driver.name", driver["name"])
		var ruleIDs []string
		for j, ru := range arr(rp+".tool.driver.rules", driver["rules"]) {
			p := fmt.Sprintf("%s.tool.driver.rules[%d]", rp, j)
			rule := obj(p, ru, "id")
			str(p+".id", rule["id"])
			id, _ := rule["id"].(string)
			ruleIDs = append(ruleIDs, id)
			for _, k := range []string{"shortDescription", "fullDescription", "help"} {
				if d, ok := rule[k]; ok {
					obj(p+"."+k, d, "text")
				}
			}
			if c, ok := rule["defaultConfiguration"]; ok {
				conf := obj(p+".defaultConfiguration", c)
				if l, ok := conf["level"]; ok {
					str(p+".defaultConfiguration.level", l, "none", "note", "warning", "error")
				}
			}
			if pb, ok := rule["properties"]; ok {
				props := obj(p+".properties", pb)
				if tags, ok := props["tags"]; ok {
					for k, tag := range arr(p+".properties.tags", tags) {
						str(fmt.Sprintf("%s.properties.tags[%d]", p, k), tag)
					}
				}
			}
		}
		for j, rv := range arr(rp+".results", run["results"]) {
			p := fmt.Sprintf("%s.results[%d]", rp, j)
			res := obj(p, rv, "message")
			message(p+".message", res["message"])
			if l, ok := res["level"]; ok {
				str(p+".level", l, "none", "note", "warning", "error")
			}
			str(p+".ruleId", res["ruleId"]) // GitHub requires it
			if ri, ok := res["ruleIndex"]; ok {
				intMin(p+".ruleIndex", ri, -1)
				if n := int(ri.(float64)); n >= 0 && (n >= len(ruleIDs) || ruleIDs[n] != res["ruleId"]) {
					bad(p, "ruleIndex %d does not name rule %v", n, res["ruleId"])
				}
			}
			locs := arr(p+".locations", res["locations"])
			if len(locs) == 0 {
				bad(p, "no locations (GitHub code scanning needs one)")
			}
			for k, lv := range locs {
				lp := fmt.Sprintf("%s.locations[%d].physicalLocation", p, k)
				phys := obj(lp, obj(lp, lv)["physicalLocation"], "artifactLocation")
				artifactLocation(lp+".artifactLocation", phys["artifactLocation"])
				region(lp+".region", phys["region"])
			}
			if fx, ok := res["fixes"]; ok {
				for k, fv := range arr(p+".fixes", fx) {
					fp := fmt.Sprintf("%s.fixes[%d]", p, k)
					f := obj(fp, fv, "artifactChanges")
					if d, ok := f["description"]; ok {
						message(fp+".description", d)
					}
					for m, cv := range arr(fp+".artifactChanges", f["artifactChanges"]) {
						cp := fmt.Sprintf("%s.artifactChanges[%d]", fp, m)
						c := obj(cp, cv, "artifactLocation", "replacements")
						artifactLocation(cp+".artifactLocation", c["artifactLocation"])
						for n, rv := range arr(cp+".replacements", c["replacements"]) {
							rp := fmt.Sprintf("%s.replacements[%d]", cp, n)
							r := obj(rp, rv, "deletedRegion")
							region(rp+".deletedRegion", r["deletedRegion"])
						}
					}
				}
			}
		}
	}
	return problems
}

// TestValidateSARIF checks that the validator catches what it looks for.
func TestValidateSARIF(t *testing.T) {
	broken := `{"version": "2.0.0", "runs": [{"tool": {"driver": {"rules": [{"id": "apt"}]}},
	  "results": [{"ruleId": "pin", "ruleIndex": 0, "level": "severe", "message": {},
	    "locations": [{"physicalLocation": {"artifactLocation": {"uri": "x"}, "region": {"startLine": 0}}}]}]}]}`
	var doc map[string]any
	if err := json.Unmarshal([]byte(broken), &doc); err != nil {
		t.Fatal(err)
	}
	problems := strings.Join(validateSARIF(doc), "\n")
	for _, want := range []string{`"2.0.0" not one of`, `missing required property "name"`, "message needs text or id",
		`"severe" not one of`, "ruleIndex 0 does not name rule pin", "startLine: 0 is not an integer >= 1"} {
		if !strings.Contains(problems, want) {
			t.Errorf("validator missed %q; it found:\n%s", want, problems)
		}
	}
}

func TestRemainder(t *testing.T) {
	tests := []struct {
		findings, unsafe int
		want             string
	}{
		{0, 0, ""},
		{1, 0, "; 1 finding remains"},
		{3, 2, "; 3 findings remain (2 fixable with --unsafe-fixes)"},
	}
	for _, tt := range tests {
		if got := (Counts{Findings: tt.findings, Unsafe: tt.unsafe}).Remainder(); got != tt.want {
			t.Errorf("Remainder(%d, %d) = %q, want %q", tt.findings, tt.unsafe, got, tt.want)
		}
	}
}
