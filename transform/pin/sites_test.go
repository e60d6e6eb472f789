package pin

import (
	"fmt"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/source"
)

// describeSites renders what collect finds, one site per line:
// "LINE PLACE TEXT -> REF [platform P] [at LINE-WITH-|-WHERE-THE-DIGEST-GOES | no target KIND]"
// or "LINE PLACE TEXT skip KIND".
func describeSites(t *testing.T, src string, opts Options) string {
	t.Helper()
	f, err := source.Parse("Dockerfile", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, s := range collect(f, &opts) {
		line, _ := f.Position(s.start)
		fmt.Fprintf(&b, "%d %s %s", line, s.place, s.text)
		if s.skip != nil {
			fmt.Fprintf(&b, " skip %s\n", s.skip.kind)
			continue
		}
		fmt.Fprintf(&b, " -> %s", s.ref.Text)
		if s.platform != "" {
			fmt.Fprintf(&b, " platform %s", s.platform)
		}
		switch {
		case s.target != nil:
			at := s.target.insertAt()
			l, _ := f.Position(at)
			ls, le := f.Line(l)
			fmt.Fprintf(&b, " at %s|%s", f.Data[ls:at], strings.TrimRight(string(f.Data[at:le]), "\r\n"))
		case s.noTarget != nil:
			fmt.Fprintf(&b, " no target %s", s.noTarget.kind)
		}
		b.WriteByte('\n')
	}
	return b.String()
}

func TestCollect(t *testing.T) {
	zero := "sha256:" + strings.Repeat("0", 64)
	one := "sha256:" + strings.Repeat("1", 64)
	tests := []struct {
		name string
		src  string
		opts Options
		want string
	}{{
		name: "stages and scratch",
		src: "FROM golang:1.22 AS Build\nFROM build\nFROM scratch\nFROM SCRATCH\nCOPY --from=BUILD /a /b\n" +
			"COPY --from=0 /a /b\nCOPY --from=alpine /a /b\n",
		want: `1 FROM golang:1.22 -> golang:1.22 at FROM golang:1.22| AS Build
7 COPY --from alpine -> alpine at COPY --from=alpine| /a /b
`,
	}, {
		name: "a stage named later is an image in FROM, a stage in COPY",
		src:  "FROM later AS first\nCOPY --from=later /a /b\nFROM alpine:3 AS later\n",
		want: `1 FROM later -> later at FROM later| AS first
3 FROM alpine:3 -> alpine:3 at FROM alpine:3| AS later
`,
	}, {
		name: "digest and tag",
		src:  "FROM alpine:3@" + zero + "\n",
		want: "1 FROM alpine:3@" + zero + " -> alpine:3@" + zero + " at FROM alpine:3@" + zero + "|\n",
	}, {
		name: "mount keys in any order and case, several mounts",
		src:  "FROM a:1\nRUN --mount=type=cache,target=/c --mount=TARGET=/x,From=b:2,type=bind --mount=from=a,target=/y true\n",
		want: `1 FROM a:1 -> a:1 at FROM a:1|
2 RUN --mount from b:2 -> b:2 at RUN --mount=type=cache,target=/c --mount=TARGET=/x,From=b:2|,type=bind --mount=from=a,target=/y true
2 RUN --mount from a -> a at RUN --mount=type=cache,target=/c --mount=TARGET=/x,From=b:2,type=bind --mount=from=a|,target=/y true
`,
	}, {
		name: "quoted flag and quoted ARG",
		src:  "ARG B=\"node:20\"\nFROM $B\nCOPY --from=\"alpine:3\" /a /b\n",
		want: `2 FROM $B -> node:20 at ARG B="node:20|"
3 COPY --from "alpine:3" -> alpine:3 at COPY --from="alpine:3|" /a /b
`,
	}, {
		name: "platform option",
		src:  "# syntax=docker/dockerfile:1\nFROM --platform=linux/amd64 a:1\nFROM --platform=$BUILDPLATFORM b:1\nCOPY --from=c:1 / /\n",
		opts: Options{Platform: "linux/arm64"},
		want: `1 # syntax docker/dockerfile:1 -> docker/dockerfile:1 at # syntax=docker/dockerfile:1|
2 FROM a:1 -> a:1 platform linux/amd64 at FROM --platform=linux/amd64 a:1|
3 FROM b:1 -> b:1 platform linux/arm64 at FROM --platform=$BUILDPLATFORM b:1|
4 COPY --from c:1 -> c:1 platform linux/arm64 at COPY --from=c:1| / /
`,
	}, {
		name: "only global ARGs reach FROM",
		src:  "FROM a:1\nARG V=2\nFROM a:${V}\n",
		want: `1 FROM a:1 -> a:1 at FROM a:1|
3 FROM a:${V} skip ARG without a value
`,
	}, {
		name: "an ARG read by another ARG is shared",
		src:  "ARG BASE=a:1\nARG OTHER=$BASE\nFROM $BASE\n",
		want: "3 FROM $BASE skip ARG used by several references\n",
	}, {
		name: "a pinned reference built from an ARG has no target",
		src:  "ARG V=1\nFROM a:${V}@" + one + "\n",
		want: "2 FROM a:${V}@" + one + " -> a:1@" + one + " no target ARG is part of the reference\n",
	}, {
		name: "build args replace declared defaults only",
		src:  "ARG A=x:1\nFROM $A AS one\nFROM ${B:-y:2}\n",
		opts: Options{BuildArgs: map[string]string{"A": "z:3", "B": "w:4"}},
		want: `2 FROM $A skip set by --build-arg
3 FROM ${B:-y:2} -> y:2 at FROM ${B:-y:2|}
`,
	}, {
		name: "invalid and variable --from",
		src:  "FROM Alpine\nCOPY --from=$X / /\n",
		want: "1 FROM Alpine skip invalid reference\n2 COPY --from $X skip variable in --from\n",
	}, {
		name: "a whole ARG used by a stage name and an image",
		src:  "ARG B=base\nFROM alpine:3 AS base\nFROM $B\n",
		want: "2 FROM alpine:3 -> alpine:3 at FROM alpine:3| AS base\n",
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := describeSites(t, tt.src, tt.opts)
			if got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
