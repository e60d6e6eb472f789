package corpus

import (
	"context"
	"errors"
	"path/filepath"
	"testing"

	"golang.org/x/tools/txtar"

	"github.com/dockmend/dockmend/internal/engine"
	"github.com/dockmend/dockmend/internal/golden"
	"github.com/dockmend/dockmend/internal/source"
	"github.com/dockmend/dockmend/internal/transformtest"
)

// fuzzSeeds are inputs written for the fuzzer; the trap fixtures of
// internal/source and the Dockerfile sections of every transformer's golden
// cases are added to them.
var fuzzSeeds = []string{
	"FROM alpine\nRUN apk add curl\n",
	"FROM debian:12\r\nRUN apt-get update && \\\r\n  # c\r\n  apt-get install -y curl\r\n",
	"# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell `\n  -Command Write-Host hi\n",
	"FROM a\nRUN <<EOF\napt-get update\napt-get install -y git\nEOF\n",
	"FROM a AS b\nONBUILD RUN pip install -r requirements.txt\nFROM b\nCOPY --from=b / /\n",
	"ARG V=1\nFROM golang:${V} AS build\nRUN go build\nFROM scratch\nCOPY --from=build /app /app\n",
	"FROM fedora\nRUN dnf install -y gcc && dnf clean all\n",
	"FROM opensuse/leap\nRUN zypper install -y curl\n",
	"\uFEFFfrom alpine\nrun apk add --no-cache curl \\\n",
	"FROM alpine\rRUN apk add curl\r",
}

// seedInputs collects every seed.
func seedInputs(tb testing.TB) [][]byte {
	tb.Helper()
	var out [][]byte
	for _, s := range fuzzSeeds {
		out = append(out, []byte(s))
	}
	traps, err := txtar.ParseFile(filepath.Join("..", "source", "testdata", "traps.txtar"))
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range traps.Files {
		out = append(out, golden.Unescape(f.Data))
	}
	goldens, _ := filepath.Glob(filepath.Join("..", "..", "transform", "*", "testdata", "*.txtar"))
	for _, g := range goldens {
		ar, err := txtar.ParseFile(g)
		if err != nil {
			tb.Fatal(err)
		}
		for _, f := range ar.Files {
			if f.Name == "Dockerfile" {
				out = append(out, golden.Unescape(f.Data))
			}
		}
	}
	return out
}

// FuzzPipeline parses arbitrary input and, where it parses, runs every
// default rule but pin (safe, then unsafe fixes) and the probe rules,
// expecting no panic, no engine error, an output that parses and passes
// instructions.Parse wherever the input did, the same line endings, and a
// second run that changes nothing. It also checks the byte map of every
// instruction that claims one.
func FuzzPipeline(f *testing.F) {
	for _, s := range seedInputs(f) {
		f.Add(s)
	}
	rules := defaultRules()
	probes := probeRules()
	ctx := context.Background()
	f.Fuzz(func(t *testing.T, data []byte) {
		in, err := source.Parse("Dockerfile", data)
		if err != nil {
			var se *source.Error
			if !errors.As(err, &se) {
				t.Fatalf("error %v (%T) is not a *source.Error", err, err)
			}
			return
		}
		checkMap(t, in)
		for _, mode := range []engine.Options{
			{Transformers: rules},
			{Transformers: rules, UnsafeFixes: true},
			{Transformers: probes},
		} {
			res, err := engine.Run(ctx, "Dockerfile", data, mode)
			if err != nil {
				t.Fatalf("rules %v (unsafe %v): %v", names(mode), mode.UnsafeFixes, err)
			}
			if !res.Changed() {
				continue
			}
			out, err := source.Parse("Dockerfile", res.Output)
			if err != nil {
				t.Fatalf("rules %v: the output does not parse: %v\n%q", names(mode), err, res.Output)
			}
			if in.InstructionsErr() == nil && out.InstructionsErr() != nil {
				t.Fatalf("rules %v: the output fails instructions.Parse: %v\n%q", names(mode), out.InstructionsErr(), res.Output)
			}
			if err := transformtest.LineEndingsKept(data, res.Output); err != nil {
				t.Fatalf("rules %v: %v\n%q", names(mode), err, res.Output)
			}
			again, err := engine.Run(ctx, "Dockerfile", res.Output, mode)
			if err != nil {
				t.Fatalf("rules %v: second run: %v\n%q", names(mode), err, res.Output)
			}
			if again.Changed() {
				t.Fatalf("rules %v: not idempotent\nonce:  %q\ntwice: %q", names(mode), res.Output, again.Output)
			}
		}
	})
}

func names(o engine.Options) []string {
	var out []string
	for _, t := range o.Transformers {
		out = append(out, t.Name)
	}
	return out
}

// checkMap checks what every verified byte map promises: each logical byte
// is the file byte it maps to, offsets increase, and a range reported
// contiguous covers file bytes equal to its text.
func checkMap(t *testing.T, f *source.File) {
	t.Helper()
	f.Walk(func(in *source.Instruction) {
		if in.MapErr != nil {
			return
		}
		prev := -1
		for i := 0; i < len(in.Logical); i++ {
			o := in.Offset(i)
			if o <= prev || o >= len(f.Data) || f.Data[o] != in.Logical[i] {
				t.Fatalf("line %d: Offset(%d) = %d (previous %d) does not hold %q", in.StartLine, i, o, prev, in.Logical[i])
			}
			prev = o
		}
		for _, fd := range in.Fields() {
			if s, e, ok := in.Range(fd.Start, fd.End); ok && string(f.Data[s:e]) != fd.Text {
				t.Fatalf("line %d: field %q maps to %q", in.StartLine, fd.Text, f.Data[s:e])
			}
		}
		for _, h := range in.Heredocs {
			if h.MapErr == nil && string(f.Data[h.Start:h.End]) != h.Content {
				t.Fatalf("line %d: heredoc %s maps to %q", in.StartLine, h.Name, f.Data[h.Start:h.End])
			}
		}
	})
}
