package source

import (
	"strings"
	"testing"
)

// wantInst is what a test expects of one instruction (in Walk order).
type wantInst struct {
	kw         string
	start, end int    // physical lines
	logical    string // buildkit's text
	text       string // Data[Start:End]; "" to skip
}

// wantSpan is a piece of an instruction's logical text and whether Range
// finds it contiguous in the file. When it is, the file bytes must equal
// the text.
type wantSpan struct {
	inst  int    // index in Walk order
	sub   string // first occurrence in Logical
	split bool   // Range must report ok == false
}

func TestInstructionMap(t *testing.T) {
	tests := []struct {
		name  string
		src   string
		insts []wantInst
		spans []wantSpan
	}{
		{
			name: "plain",
			src:  "FROM alpine:3.19\nRUN echo hi\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM alpine:3.19", "FROM alpine:3.19"},
				{"RUN", 2, 2, "RUN echo hi", "RUN echo hi"},
			},
			spans: []wantSpan{{0, "alpine:3.19", false}, {1, "echo hi", false}},
		},
		{
			name: "CRLF with continuations",
			src:  "FROM alpine\r\nRUN apk add \\\r\n    curl \\\r\n    git\r\nCMD [\"sh\"]\r\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM alpine", "FROM alpine"},
				{"RUN", 2, 4, "RUN apk add     curl     git", "RUN apk add \\\r\n    curl \\\r\n    git"},
				{"CMD", 5, 5, `CMD ["sh"]`, `CMD ["sh"]`},
			},
			spans: []wantSpan{
				{1, "curl", false},
				{1, "add     curl", true},
				{1, "    git", false},
			},
		},
		{
			name: "comment lines inside a continuation",
			src:  "FROM a\nRUN apt-get update && \\\n    # install the tools \\\n  \t# indented comment\n    apt-get install -y curl\nRUN b\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"RUN", 2, 5, "RUN apt-get update &&     apt-get install -y curl",
					"RUN apt-get update && \\\n    # install the tools \\\n  \t# indented comment\n    apt-get install -y curl"},
				{"RUN", 6, 6, "RUN b", "RUN b"},
			},
			spans: []wantSpan{
				{1, "&&", false},
				{1, "&&     apt-get", true},
				{1, "apt-get install -y curl", false},
			},
		},
		{
			name: "CRLF comment inside a continuation",
			src:  "FROM a\r\nRUN one \\\r\n# c\r\n two\r\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", "FROM a"},
				{"RUN", 2, 4, "RUN one  two", "RUN one \\\r\n# c\r\n two"},
			},
			spans: []wantSpan{{1, "one  two", true}, {1, " two", false}},
		},
		{
			name: "empty and blank continuation lines",
			src:  "FROM a\nRUN echo a \\\n\n   \t\n    b\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"RUN", 2, 5, "RUN echo a     b", "RUN echo a \\\n\n   \t\n    b"},
			},
			spans: []wantSpan{{1, "a     b", true}, {1, "echo a ", false}},
		},
		{
			name: "leading white space",
			src:  "  \tFROM a\n    RUN echo \\\n  b\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", "FROM a"},
				{"RUN", 2, 3, "RUN echo   b", "RUN echo \\\n  b"},
			},
		},
		{
			name: "byte order mark",
			src:  "\uFEFFFROM a AS b\nRUN x\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a AS b", "FROM a AS b"},
				{"RUN", 2, 2, "RUN x", "RUN x"},
			},
			spans: []wantSpan{{0, "FROM", false}},
		},
		{
			name: "lower-case keywords",
			src:  "from alpine as Build\nrun echo hi\nOnBuild run echo x\n",
			insts: []wantInst{
				{"FROM", 1, 1, "from alpine as Build", ""},
				{"RUN", 2, 2, "run echo hi", ""},
				{"ONBUILD", 3, 3, "OnBuild run echo x", ""},
				{"RUN", 3, 3, "run echo x", ""},
			},
		},
		{
			name: "JSON and shell forms",
			src:  "FROM a\nCMD [\"a\", \"b c\"]\nENTRYPOINT [\"a\" , 'b']\nRUN [ \"sh\", \"-c\", \"echo\" ]\nSHELL [\"/bin/bash\", \"-c\"]\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"CMD", 2, 2, `CMD ["a", "b c"]`, ""},
				{"ENTRYPOINT", 3, 3, `ENTRYPOINT ["a" , 'b']`, ""},
				{"RUN", 4, 4, `RUN [ "sh", "-c", "echo" ]`, ""},
				{"SHELL", 5, 5, `SHELL ["/bin/bash", "-c"]`, ""},
			},
		},
		{
			name: "image token split by a continuation",
			src:  "FROM alp\\\nine:3 AS x\nFROM \\\n  alpine:3.19\n",
			insts: []wantInst{
				{"FROM", 1, 2, "FROM alpine:3 AS x", "FROM alp\\\nine:3 AS x"},
				{"FROM", 3, 4, "FROM   alpine:3.19", "FROM \\\n  alpine:3.19"},
			},
			spans: []wantSpan{
				{0, "alpine:3", true},
				{0, "alp", false},
				{0, "ine:3", false},
				{1, "alpine:3.19", false},
			},
		},
		{
			name: "missing final newline",
			src:  "FROM a\nRUN echo hi \\\n  there",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", "FROM a"},
				{"RUN", 2, 3, "RUN echo hi   there", "RUN echo hi \\\n  there"},
			},
			spans: []wantSpan{{1, "there", false}},
		},
		{
			name: "dangling continuation at the end of the file",
			src:  "FROM a\nRUN echo hi \\\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"RUN", 2, 2, "RUN echo hi ", "RUN echo hi \\"},
			},
		},
		{
			name: "lone CR line endings make one line",
			src:  "FROM alpine\rRUN echo hi\r",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM alpine\rRUN echo hi", "FROM alpine\rRUN echo hi"},
			},
		},
		{
			name: "escaped escape at the end of a line is not a continuation",
			src:  "FROM a\nRUN echo \\\\\nRUN b\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"RUN", 2, 2, `RUN echo \\`, `RUN echo \\`},
				{"RUN", 3, 3, "RUN b", ""},
			},
		},
		{
			name: "continuation with trailing blanks and a lone escape line",
			src:  "FROM a\nRUN a \\ \t\n\\\n  b\n\\\nRUN c\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"RUN", 2, 4, "RUN a   b", "RUN a \\ \t\n\\\n  b"},
				{"RUN", 5, 6, "RUN c", "\\\nRUN c"[2:]},
			},
			spans: []wantSpan{{1, "a   b", true}},
		},
		{
			name: "backtick escape",
			src:  "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nRUN powershell -Command `\n    Write-Host C:\\path\\x\nCOPY C:\\src C:\\dst\n",
			insts: []wantInst{
				{"FROM", 2, 2, "FROM mcr.microsoft.com/windows/servercore:ltsc2022", ""},
				{"RUN", 3, 4, `RUN powershell -Command     Write-Host C:\path\x`, "RUN powershell -Command `\n    Write-Host C:\\path\\x"},
				{"COPY", 5, 5, `COPY C:\src C:\dst`, ""},
			},
			spans: []wantSpan{{1, `Write-Host C:\path\x`, false}, {1, "Command     Write", true}},
		},
		{
			name: "ONBUILD triggers map through the parent",
			src:  "FROM a\nONBUILD RUN echo hi \\\n  there\nONBUILD  COPY --from=b /x /y\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM a", ""},
				{"ONBUILD", 2, 3, "ONBUILD RUN echo hi   there", "ONBUILD RUN echo hi \\\n  there"},
				{"RUN", 2, 3, "RUN echo hi   there", "ONBUILD RUN echo hi \\\n  there"},
				{"ONBUILD", 4, 4, "ONBUILD  COPY --from=b /x /y", ""},
				{"COPY", 4, 4, "COPY --from=b /x /y", ""},
			},
			spans: []wantSpan{
				{2, "RUN echo", false},
				{2, "hi   there", true},
				{2, "there", false},
				{4, "--from=b", false},
				{4, "/y", false},
			},
		},
		{
			name: "flags with quotes and -- ending the flags",
			src: "FROM --platform=$BUILDPLATFORM  -- busybox:1.36 AS b\n" +
				"RUN --mount=\"type=cache,target=/root/.cache\" --network=none echo hi\n" +
				"COPY --from=b --chmod=755 /a /b\n",
			insts: []wantInst{
				{"FROM", 1, 1, "FROM --platform=$BUILDPLATFORM  -- busybox:1.36 AS b", ""},
				{"RUN", 2, 2, `RUN --mount="type=cache,target=/root/.cache" --network=none echo hi`, ""},
				{"COPY", 3, 3, "COPY --from=b --chmod=755 /a /b", ""},
			},
			spans: []wantSpan{
				{0, "busybox:1.36", false},
				{1, "type=cache,target=/root/.cache", false},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			for _, e := range mapErrors(f) {
				t.Error(e)
			}
			insts := walked(f)
			if len(insts) != len(tt.insts) {
				t.Fatalf("%d instructions, want %d", len(insts), len(tt.insts))
			}
			for i, w := range tt.insts {
				in := insts[i]
				if in.Keyword != w.kw || in.StartLine != w.start || in.EndLine != w.end || in.Logical != w.logical {
					t.Errorf("instruction %d: %s L%d-%d %q, want %s L%d-%d %q",
						i, in.Keyword, in.StartLine, in.EndLine, in.Logical, w.kw, w.start, w.end, w.logical)
				}
				if w.text != "" {
					if got := string(f.Data[in.Start:in.End]); got != w.text {
						t.Errorf("instruction %d: Data[Start:End] = %q, want %q", i, got, w.text)
					}
				}
			}
			for _, sp := range tt.spans {
				in := insts[sp.inst]
				i := strings.Index(in.Logical, sp.sub)
				if i < 0 {
					t.Fatalf("%q not in %q", sp.sub, in.Logical)
				}
				s, e, ok := in.Range(i, i+len(sp.sub))
				switch {
				case ok == sp.split:
					t.Errorf("instruction %d: Range(%q) ok = %v, want %v", sp.inst, sp.sub, ok, !sp.split)
				case ok && string(f.Data[s:e]) != sp.sub:
					t.Errorf("instruction %d: Range(%q) covers %q", sp.inst, sp.sub, f.Data[s:e])
				}
			}
		})
	}
}

func TestRangeEdges(t *testing.T) {
	src := "FROM a\nRUN echo \\\n  hi\n"
	f := mustParse(t, src)
	in := f.Instructions[1] // "RUN echo   hi"
	n := len(in.Logical)
	tests := []struct {
		name       string
		i, j       int
		start, end int
		ok         bool
	}{
		{"empty at start", 0, 0, 7, 7, true},
		{"empty at end", n, n, len(src) - 1, len(src) - 1, true},
		{"insertion before the continuation", 8, 8, 15, 15, true},
		{"whole first line", 0, 9, 7, 16, true},
		{"across the continuation", 8, 11, 0, 0, false},
		{"negative", -1, 2, 0, 0, false},
		{"past the end", 0, n + 1, 0, 0, false},
		{"reversed", 3, 2, 0, 0, false},
	}
	for _, tt := range tests {
		s, e, ok := in.Range(tt.i, tt.j)
		if ok != tt.ok || (ok && (s != tt.start || e != tt.end)) {
			t.Errorf("%s: Range(%d, %d) = %d, %d, %v; want %d, %d, %v", tt.name, tt.i, tt.j, s, e, ok, tt.start, tt.end, tt.ok)
		}
	}
	// InsertAt lands before the continuation: "RUN echo " + "X" + "\\\n".
	if got := in.InsertAt(9); got != 16 {
		t.Errorf("InsertAt(9) = %d, want 16", got)
	}
	if got := in.InsertAt(0); got != 7 {
		t.Errorf("InsertAt(0) = %d, want 7", got)
	}
	if got := in.Offset(n); got != len(src)-1 {
		t.Errorf("Offset(len) = %d, want %d", got, len(src)-1)
	}

	bad := &Instruction{MapErr: errTest, Logical: "RUN x"}
	if _, _, ok := bad.Range(0, 1); ok {
		t.Error("Range on an unmapped instruction reports ok")
	}
}

var errTest = &Error{Path: "test", Err: ErrNotShell}

func TestFlags(t *testing.T) {
	type flag struct{ name, value, raw, valueRaw string }
	tests := []struct {
		name  string
		src   string
		flags []flag
		args  string
	}{
		{"none", "FROM a\nCOPY /a /b\n", nil, "/a /b"},
		{"plain", "FROM a\nCOPY --from=build --chmod=755 /a /b\n",
			[]flag{{"from", "build", "--from=build", "build"}, {"chmod", "755", "--chmod=755", "755"}}, "/a /b"},
		{"upper-case name", "FROM a\nCOPY --FROM=Build /a /b\n",
			[]flag{{"from", "Build", "--FROM=Build", "Build"}}, "/a /b"},
		{"quoted value", "FROM a\nRUN --mount=\"type=cache,target=/a b\" echo\n",
			[]flag{{"mount", "type=cache,target=/a b", `--mount="type=cache,target=/a b"`, `"type=cache,target=/a b"`}}, "echo"},
		{"single-quoted value", "FROM a\nRUN --network='none' echo\n",
			[]flag{{"network", "none", `--network='none'`, `'none'`}}, "echo"},
		{"a quoted flag is an argument", "FROM a\nRUN '--network=none' echo\n", nil, "'--network=none' echo"},
		{"escaped quote in a quoted value", "FROM a\nRUN --mount=\"a\\\"b\" echo\n",
			[]flag{{"mount", `a"b`, `--mount="a\"b"`, `"a\"b"`}}, "echo"},
		{"escaped non-quote in a quoted value", "FROM a\nRUN --mount=\"a\\\\b\" echo\n",
			[]flag{{"mount", `a\b`, `--mount="a\\b"`, `"a\\b"`}}, "echo"},
		{"escaped space in an unquoted value", "FROM a\nRUN --mount=a\\ b echo\n",
			[]flag{{"mount", "a b", `--mount=a\ b`, `a\ b`}}, "echo"},
		{"backtick escape in a flag", "# escape=`\nFROM a\nRUN --mount=a` b echo\n",
			[]flag{{"mount", "a b", "--mount=a` b", "a` b"}}, "echo"},
		{"no value", "FROM a\nCOPY --link /a /b\n",
			[]flag{{"link", "", "--link", ""}}, "/a /b"},
		{"empty value", "FROM a\nCOPY --from= /a /b\n",
			[]flag{{"from", "", "--from=", ""}}, "/a /b"},
		{"-- ends the flags", "FROM a\nRUN --network=none -- --not-a-flag\n",
			[]flag{{"network", "none", "--network=none", "none"}}, "--not-a-flag"},
		{"-- ends the flags on FROM", "FROM --platform=linux/amd64  --  busybox AS b\n",
			[]flag{{"platform", "linux/amd64", "--platform=linux/amd64", "linux/amd64"}}, "busybox AS b"},
		{"flags across a continuation", "FROM a\nRUN --network=none \\\n    --security=insecure echo\n",
			[]flag{{"network", "none", "--network=none", "none"}, {"security", "insecure", "--security=insecure", "insecure"}}, "echo"},
		{"a single dash is an argument", "FROM a\nRUN -x\n", nil, "-x"},
		{"flags only", "FROM a\nHEALTHCHECK --interval=5s NONE\n",
			[]flag{{"interval", "5s", "--interval=5s", "5s"}}, "NONE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.src)
			for _, e := range mapErrors(f) {
				t.Error(e)
			}
			in := f.Instructions[len(f.Instructions)-1]
			if len(in.Flags) != len(tt.flags) {
				t.Fatalf("flags %+v, want %d", in.Flags, len(tt.flags))
			}
			for i, w := range tt.flags {
				fl := in.Flags[i]
				raw := in.Logical[fl.Start:fl.End]
				valueRaw := in.Logical[fl.ValueStart:fl.End]
				if fl.Name != w.name || fl.Value != w.value || raw != w.raw || valueRaw != w.valueRaw {
					t.Errorf("flag %d: name %q value %q raw %q value raw %q; want %q %q %q %q",
						i, fl.Name, fl.Value, raw, valueRaw, w.name, w.value, w.raw, w.valueRaw)
				}
				if got := in.Flag(w.name); got == nil || got.Start != fl.Start {
					t.Errorf("Flag(%q) = %v", w.name, got)
				}
			}
			if in.Args() != tt.args {
				t.Errorf("Args() = %q, want %q", in.Args(), tt.args)
			}
			if in.Flag("nosuchflag") != nil {
				t.Error("Flag(nosuchflag) found something")
			}
		})
	}
}

func TestFields(t *testing.T) {
	f := mustParse(t, "FROM a\nCOPY --chown=1:1 \\\n  src/  \t dst/ \n")
	in := f.Instructions[1]
	var got []string
	for _, fd := range in.Fields() {
		got = append(got, fd.Text)
		if in.Logical[fd.Start:fd.End] != fd.Text {
			t.Errorf("field %q at [%d,%d) is %q", fd.Text, fd.Start, fd.End, in.Logical[fd.Start:fd.End])
		}
	}
	if strings.Join(got, "|") != "src/|dst/" {
		t.Errorf("Fields = %q, want [src/ dst/]", got)
	}
	if !in.Is("copy") || in.Is("RUN") {
		t.Error("Is does not compare keywords case-insensitively")
	}
	if in.Line() != 2 {
		t.Errorf("Line() = %d, want 2", in.Line())
	}
}

// TestInstructionMapMismatch checks that an instruction whose replayed
// text differs from buildkit's Original (here, an Original changed after
// the parse) gets a MapErr and no byte map, and keeps Original as its
// Logical text.
func TestInstructionMapMismatch(t *testing.T) {
	const src = "FROM alpine\nRUN apk add \\\n    curl\n"
	for _, orig := range []string{
		"RUN apk add     curl",     // as parsed
		"RUN apk add     curX",     // a byte differs
		"RUN apk add     curl git", // longer
		"RUN apk add     cur",      // shorter
		"RUN apk add ",             // ends within the first line
		"",                         // empty
	} {
		f, err := Parse("Dockerfile", []byte(src))
		if err != nil {
			t.Fatal(err)
		}
		in := f.Stages[0].Instructions[0]
		if in.MapErr != nil || in.Logical != "RUN apk add     curl" {
			t.Fatalf("parsed: MapErr %v, Logical %q", in.MapErr, in.Logical)
		}
		in.Node.Original = orig
		in.mapLines()
		want := orig != "RUN apk add     curl"
		if got := in.MapErr != nil; got != want {
			t.Errorf("Original %q: MapErr %v, want an error: %v", orig, in.MapErr, want)
		}
		if in.Logical != orig {
			t.Errorf("Original %q: Logical %q", orig, in.Logical)
		}
		if want && in.off.len() != 0 {
			t.Errorf("Original %q: a byte map of %d bytes is kept", orig, in.off.len())
		}
	}
}
