// Package transformtest runs golden tests for transformers, after
// golang.org/x/tools/go/analysis/analysistest.
//
// Each test case is a txtar archive in a testdata directory:
//
//	Adds -y to apt-get install.
//	-- Dockerfile --
//	FROM debian:12
//	RUN apt-get install curl
//	-- Dockerfile.golden --
//	FROM debian:12
//	RUN apt-get install -y curl
//	-- findings --
//	2:5 apt DL3014: apt-get install without -y [safe fix]
//
// The archive's comment describes the case. Optional sections:
// "options" (one word per line: "unsafe" applies unsafe fixes, "nofix" only
// checks findings) and "Dockerfile.golden" (absent means the file must not
// change). Run checks the findings on the input, the fixed output, and the
// invariants every rule must keep: the output parses, fixing the output
// again changes nothing, and line endings stay as they were. Run with
// -update to rewrite the golden sections.
package transformtest

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/transform"
)

var update = flag.Bool("update", false, "rewrite the golden sections of transformer tests")

// Run runs every testdata/*.txtar case in dir with the given transformers.
func Run(t *testing.T, dir string, ts ...*transform.Transformer) {
	t.Helper()
	if err := transform.Validate(ts); err != nil {
		t.Fatal(err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no .txtar cases in %s", dir)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txtar"), func(t *testing.T) {
			runCase(t, file, ts)
		})
	}
}

func runCase(t *testing.T, file string, ts []*transform.Transformer) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]*txtar.File{}
	for i := range ar.Files {
		sections[ar.Files[i].Name] = &ar.Files[i]
	}
	in, ok := sections["Dockerfile"]
	if !ok {
		t.Fatalf("%s: no Dockerfile section", file)
	}
	input := unescape(in.Data)
	opts := engine.Options{Transformers: ts}
	if o, ok := sections["options"]; ok {
		for _, w := range strings.Fields(string(o.Data)) {
			switch w {
			case "unsafe":
				opts.UnsafeFixes = true
			case "nofix":
				opts.NoFix = true
			default:
				t.Fatalf("unknown option %q", w)
			}
		}
	}
	ctx := context.Background()
	res, err := engine.Run(ctx, "Dockerfile", input, opts)
	if err != nil {
		t.Fatalf("engine: %v", err)
	}
	gotFindings := FormatFindings(res.Findings)
	changed := false
	if want, ok := sections["findings"]; ok || *update {
		if *update {
			setSection(ar, "findings", []byte(gotFindings))
			changed = true
		} else if gotFindings != string(want.Data) {
			t.Errorf("findings differ\n--- got ---\n%s--- want ---\n%s", gotFindings, want.Data)
		}
	}
	golden, hasGolden := sections["Dockerfile.golden"]
	switch {
	case *update && res.Changed():
		setSection(ar, "Dockerfile.golden", escape(res.Output))
		changed = true
	case *update && !res.Changed():
		removeSection(ar, "Dockerfile.golden")
		changed = changed || hasGolden
	case hasGolden:
		if want := unescape(golden.Data); !bytes.Equal(res.Output, want) {
			t.Errorf("output differs\n--- got ---\n%s--- want ---\n%s", res.Output, want)
		}
	case res.Changed():
		t.Errorf("file changed but the case has no Dockerfile.golden\n--- got ---\n%s", res.Output)
	}
	if changed {
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	CheckInvariants(t, input, res.Output, opts)
}

// CheckInvariants checks what must hold for any fix: the output parses,
// a second run changes nothing, and no new kind of line ending appears.
func CheckInvariants(t testing.TB, input, output []byte, opts engine.Options) {
	t.Helper()
	again, err := engine.Run(context.Background(), "Dockerfile", output, opts)
	if err != nil {
		t.Fatalf("second run on the output: %v", err)
	}
	if again.Changed() {
		t.Errorf("not idempotent: a second run changes the output\n--- second output ---\n%s", again.Output)
	}
	if err := LineEndingsKept(input, output); err != nil {
		t.Error(err)
	}
}

// LineEndingsKept reports an error when output uses a line ending input
// never used.
func LineEndingsKept(input, output []byte) error {
	crlfIn, lfIn := countEOL(input)
	crlfOut, lfOut := countEOL(output)
	if crlfIn == 0 && crlfOut > 0 {
		return fmt.Errorf("output has %d CRLF line endings, input had none", crlfOut)
	}
	if lfIn == 0 && crlfIn > 0 && lfOut > 0 {
		return fmt.Errorf("output has %d bare LF line endings, input was all CRLF", lfOut)
	}
	return nil
}

func countEOL(b []byte) (crlf, lf int) {
	crlf = bytes.Count(b, []byte("\r\n"))
	return crlf, bytes.Count(b, []byte("\n")) - crlf
}

// FormatFindings renders findings one per line as
// "line:col rule[ CODE]: message[ [safe fix]|[unsafe fix]]".
func FormatFindings(fs []engine.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		fmt.Fprintf(&b, "%d:%d %s", f.Line, f.Col, f.Rule)
		if f.Code != "" {
			fmt.Fprintf(&b, " %s", f.Code)
		}
		fmt.Fprintf(&b, ": %s", f.Message)
		if f.Fix != nil {
			fmt.Fprintf(&b, " [%s fix]", f.Fix.Applicability)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// Sections of a case may spell special bytes: "<CR>" for a carriage return
// (CRLF files), "<TAB>" for a tab, and a final line "<NOEOL>" to drop the
// last line ending.
func unescape(b []byte) []byte {
	s := string(b)
	s = strings.ReplaceAll(s, "<CR>", "\r")
	s = strings.ReplaceAll(s, "<TAB>", "\t")
	if strings.HasSuffix(s, "\n<NOEOL>\n") {
		s = strings.TrimSuffix(s, "\n<NOEOL>\n")
	}
	return []byte(s)
}

func escape(b []byte) []byte {
	s := string(b)
	s = strings.ReplaceAll(s, "\r", "<CR>")
	if !strings.HasSuffix(s, "\n") {
		s += "\n<NOEOL>\n"
	}
	return []byte(s)
}

func setSection(ar *txtar.Archive, name string, data []byte) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files[i].Data = data
			return
		}
	}
	ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
}

func removeSection(ar *txtar.Archive, name string) {
	for i := range ar.Files {
		if ar.Files[i].Name == name {
			ar.Files = append(ar.Files[:i], ar.Files[i+1:]...)
			return
		}
	}
}
