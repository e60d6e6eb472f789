package source

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
)

// nonUTF8 are Dockerfiles with bytes that are not UTF-8 (Latin-1 text,
// stray continuation bytes) in every place they can stand.
var nonUTF8 = []struct {
	name, src string
}{
	{"comment", "FROM debian:12\n# caf\xe9 cr\xe8me\nRUN apt-get install -y curl\n"},
	{"comment before FROM", "# \xa9 2024 Soci\xe9t\xe9\nFROM debian:12\n"},
	{"comment inside a continuation", "FROM debian:12\nRUN apt-get update \\\n# caf\xe9\n && apt-get install -y curl\n"},
	{"RUN argument", "FROM debian:12\nRUN echo caf\xe9 > /etc/motd\n"},
	{"LABEL value", "FROM debian:12\nLABEL description=\"caf\xe9\"\n"},
	{"ENV value", "FROM debian:12\nENV GREETING=ol\xe1\n"},
	{"ARG default", "ARG V=\xff\nFROM debian:12\n"},
	{"FROM image", "FROM deb\xe9ian\n"},
	{"heredoc body", "FROM debian:12\nRUN <<EOF\necho caf\xe9\nEOF\n"},
	{"COPY heredoc", "FROM debian:12\nCOPY <<EOF /etc/motd\ncaf\xe9\nEOF\n"},
	{"exec form", "FROM debian:12\nCMD [\"echo\", \"caf\xe9\"]\n"},
	{"CRLF", "FROM debian:12\r\n# caf\xe9\r\nRUN echo \xe9\r\n"},
	{"escape directive", "# escape=\xe9\nFROM debian:12\n"},
	{"lone continuation byte in a keyword", "FROM debian:12\nRUN\x80 echo\n"},
	{"truncated sequence at the end", "FROM debian:12\nRUN echo \xc3"},
}

// TestNonUTF8LikeBuildkit checks that bytes that are not UTF-8 do not
// change dockmend's verdict: a file parses exactly when buildkit's parser
// parses it and instructions.Parse finds no unknown instruction; it has an
// instructions error exactly when instructions.Parse has another; and then
// every instruction's byte map is verified, so rules may edit it.
func TestNonUTF8LikeBuildkit(t *testing.T) {
	for _, tt := range nonUTF8 {
		t.Run(tt.name, func(t *testing.T) {
			res, bkErr := parser.Parse(bytes.NewReader([]byte(tt.src)))
			var bkInst error
			if bkErr == nil {
				_, _, bkInst = instructions.Parse(res.AST, nil)
				var ue *instructions.UnknownInstructionError
				if errors.As(bkInst, &ue) {
					bkErr, bkInst = bkInst, nil
				}
			}
			f, err := Parse("Dockerfile", []byte(tt.src))
			if (err == nil) != (bkErr == nil) {
				t.Fatalf("buildkit says %v, we say %v", bkErr, err)
			}
			if err != nil {
				return
			}
			if (bkInst == nil) != (f.InstructionsErr() == nil) {
				t.Errorf("buildkit's instructions.Parse says %v, we say %v", bkInst, f.InstructionsErr())
			}
			f.Walk(func(in *Instruction) {
				if in.MapErr != nil {
					t.Errorf("line %d: byte map not verified: %v", in.StartLine, in.MapErr)
				}
				for _, h := range in.Heredocs {
					if h.MapErr != nil {
						t.Errorf("line %d: heredoc not located: %v", in.StartLine, h.MapErr)
					} else if got := tt.src[h.Start:h.End]; !strings.Contains(h.Content, got) && got != h.Content {
						t.Errorf("line %d: heredoc bytes %q, buildkit's content %q", in.StartLine, got, h.Content)
					}
				}
			})
		})
	}
}
