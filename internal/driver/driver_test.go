package driver

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/transform"
)

// upper is a test rule: instruction keywords must be upper case.
var upper = &transform.Transformer{
	Name:    "upper",
	Doc:     "upper: write instruction keywords in upper case",
	Default: true,
	Run: func(p *transform.Pass) error {
		for _, in := range p.File.Instructions {
			kw := string(p.File.Data[in.Start : in.Start+len(in.Keyword)])
			if kw != in.Keyword {
				p.Report(transform.Finding{
					Start: in.Start, End: in.Start + len(kw),
					Message: "keyword " + kw + " is not upper case",
					Fix: &transform.Fix{Message: "upper-case it", Edits: []transform.Edit{
						{Start: in.Start, End: in.Start + len(kw), New: in.Keyword},
					}},
				})
			}
		}
		return nil
	},
}

func writeFiles(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestRun(t *testing.T) {
	const n = 40
	contents := map[string]string{
		"binary":          "FROM x\x00\n",
		"unknown":         "FROM x\nRUNN echo\n",
		"toolarge":        "FROM x\n" + strings.Repeat("#", source.MaxFileSize-7) + "\n",
		"longline":        "FROM x\nRUN echo " + strings.Repeat("a", 70<<10) + "\n",
		"adir/Dockerfile": "FROM x\n",
	}
	var files []*File
	for i := range n {
		name := fmt.Sprintf("f%02d", i)
		if i%3 == 0 {
			contents[name] = "from scratch\nrun true\n"
		} else {
			contents[name] = "FROM scratch\n"
		}
	}
	dir := writeFiles(t, contents)
	var want []string
	for i := range n {
		name := fmt.Sprintf("f%02d", i)
		files = append(files, &File{Path: filepath.Join(dir, name), Name: name, Options: engine.Options{Transformers: []*transform.Transformer{upper}}})
		want = append(want, name)
		if i == 5 {
			for _, bad := range []string{"binary", "unknown", "toolarge", "longline", "missing", "adir"} {
				files = append(files, &File{Path: filepath.Join(dir, bad), Name: bad, Options: engine.Options{Transformers: []*transform.Transformer{upper}}})
				want = append(want, bad)
			}
		}
	}
	files = append(files, &File{Path: "ignored", Name: "-", Data: []byte("from scratch\n"), Options: engine.Options{Transformers: []*transform.Transformer{upper}}})
	want = append(want, "-")

	var mu sync.Mutex
	var written []string
	write := func(path string, data []byte, orig atomicfile.Stat) error {
		mu.Lock()
		written = append(written, filepath.Base(path))
		mu.Unlock()
		return atomicfile.Write(path, data, orig)
	}
	var got []string
	errs := map[string]string{}
	err := Run(context.Background(), files, Options{
		Jobs:  4,
		Write: write,
		Emit: func(o Outcome) error {
			got = append(got, o.File.Name)
			if o.Err != nil {
				errs[o.File.Name] = o.Err.Error()
				return nil
			}
			changed := o.Result.Changed()
			if wantChange := o.File.Name == "-" || contents[o.File.Name] != "FROM scratch\n"; changed != wantChange {
				t.Errorf("%s: changed = %v, want %v", o.File.Name, changed, wantChange)
			}
			if o.Written != (changed && o.File.Data == nil) {
				t.Errorf("%s: written = %v, changed = %v", o.File.Name, o.Written, changed)
			}
			return nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("emitted in order\n%s\nwant\n%s", got, want)
	}
	wantErrs := map[string]string{
		"binary":   "binary:1: binary file",
		"unknown":  "unknown:2: unknown instruction: RUNN",
		"toolarge": "toolarge: 1048577 bytes, larger than 1048576 bytes (1 MiB), the limit for a Dockerfile",
		"longline": "longline:2: line longer than 65535 bytes",
		"missing":  "missing: no such file or directory",
		"adir":     "adir: is a directory",
	}
	for name, w := range wantErrs {
		if !strings.HasPrefix(errs[name], w) {
			t.Errorf("%s: error %q, want prefix %q", name, errs[name], w)
		}
	}
	if len(errs) != len(wantErrs) {
		t.Errorf("errors: %q", errs)
	}
	if len(written) != (n+2)/3 {
		t.Errorf("wrote %d files (%v), want %d", len(written), written, (n+2)/3)
	}
	b, err := os.ReadFile(filepath.Join(dir, "f00"))
	if err != nil || string(b) != "FROM scratch\nRUN true\n" {
		t.Errorf("f00 = %q, %v", b, err)
	}
}

// TestPrepare checks that each rule's Prepare runs once, before the engine
// runs on any file, with the parsed files it runs on, in order; that the
// first pass uses those parses; and that a Prepare error stops the run.
func TestPrepare(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a": "FROM a\n", "b": "FROM b\n", "c": "FROM c\n", "bad": "NOPE x\n"})
	var ran atomic.Int32
	var prepared []string
	var calls int
	parsed := map[*source.File]bool{}
	preparing := &transform.Transformer{Name: "prep", Doc: "prep: prepare and count",
		Prepare: func(ctx context.Context, files []*source.File) error {
			calls++
			if ran.Load() != 0 {
				t.Error("the engine ran before Prepare")
			}
			for _, f := range files {
				prepared = append(prepared, filepath.Base(f.Path)+"="+strings.TrimSpace(string(f.Data)))
				parsed[f] = true
			}
			return nil
		},
		Run: func(p *transform.Pass) error {
			ran.Add(1)
			if !parsed[p.File] {
				t.Errorf("%s: the first pass parsed the file again", p.File.Path)
			}
			return nil
		},
	}
	plain := &transform.Transformer{Name: "plain", Doc: "plain: nothing", Run: func(*transform.Pass) error { return nil }}
	var files []*File
	for _, n := range []string{"a", "b", "bad", "missing"} {
		files = append(files, &File{Path: filepath.Join(dir, n), Options: engine.Options{Transformers: []*transform.Transformer{plain, preparing}}})
	}
	files = append(files, &File{Path: filepath.Join(dir, "c"), Options: engine.Options{Transformers: []*transform.Transformer{preparing}}})
	hooked := false
	err := Run(context.Background(), files, Options{Prepared: func() {
		hooked = true
		if ran.Load() != 0 {
			t.Error("the engine ran before Prepared")
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(prepared, ","); got != "a=FROM a,b=FROM b,c=FROM c" || calls != 1 {
		t.Errorf("Prepare called %d times, saw %s; want once, a, b and c", calls, got)
	}
	if ran.Load() != 3 || !hooked {
		t.Errorf("engine ran %d times, Prepared called: %v; want 3, true", ran.Load(), hooked)
	}

	stop := errors.New("stop")
	failing := &transform.Transformer{Name: "fail", Doc: "fail: fail to prepare", Run: plain.Run,
		Prepare: func(context.Context, []*source.File) error { return stop }}
	files[0].Options.Transformers = []*transform.Transformer{failing}
	if err := Run(context.Background(), files, Options{}); !errors.Is(err, stop) || !strings.Contains(err.Error(), "rule fail: stop") {
		t.Errorf("Prepare error: Run returned %v", err)
	}
}

func TestEmitErrorStops(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a": "from a\n", "b": "from b\n"})
	stop := errors.New("stdout closed")
	var files []*File
	for _, n := range []string{"a", "b"} {
		files = append(files, &File{Path: filepath.Join(dir, n), Options: engine.Options{Transformers: []*transform.Transformer{upper}}})
	}
	emitted := 0
	err := Run(context.Background(), files, Options{Emit: func(Outcome) error { emitted++; return stop }})
	if !errors.Is(err, stop) || emitted != 1 {
		t.Errorf("Run = %v after %d emits; want the Emit error after 1", err, emitted)
	}
	for _, n := range []string{"a", "b"} {
		if b, _ := os.ReadFile(filepath.Join(dir, n)); !strings.HasPrefix(string(b), "from") {
			t.Errorf("%s was written without a Write function: %q", n, b)
		}
	}
}

func TestWriteError(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a": "from a\n"})
	f := &File{Path: filepath.Join(dir, "a"), Name: "a", Options: engine.Options{Transformers: []*transform.Transformer{upper}}}
	var out Outcome
	err := Run(context.Background(), []*File{f}, Options{
		Write: func(path string, _ []byte, _ atomicfile.Stat) error { return fmt.Errorf("writing %s: disk full", path) },
		Emit:  func(o Outcome) error { out = o; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if out.Err == nil || !strings.Contains(out.Err.Error(), "disk full") || out.Written {
		t.Errorf("outcome %+v, want the write error", out)
	}
}

func TestCancel(t *testing.T) {
	dir := writeFiles(t, map[string]string{"a": "from a\n", "b": "from b\n"})
	var files []*File
	for _, n := range []string{"a", "b"} {
		files = append(files, &File{Path: filepath.Join(dir, n), Options: engine.Options{Transformers: []*transform.Transformer{upper}}})
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	emitted := 0
	err := Run(ctx, files, Options{Emit: func(Outcome) error { emitted++; return nil }})
	if !errors.Is(err, context.Canceled) || emitted != 0 {
		t.Errorf("Run = %v after %d emits; want context.Canceled and none", err, emitted)
	}
}
