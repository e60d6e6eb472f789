package multistage

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/source"
)

// TestAnalyze checks what the rule reads from a final stage: the build
// tools, the build steps, the artifacts and the reasons not to fix.
func TestAnalyze(t *testing.T) {
	tests := []struct {
		name      string
		df        string
		tools     []string
		steps     []string
		artifacts []string
		problem   string // a substring of the problems; "" means none
	}{{
		name:      "make install with DESTDIR",
		df:        "FROM debian:12\nRUN apt-get install -y gcc make\nWORKDIR /src\nCOPY . .\nRUN ./configure --prefix=/opt/x && make && make install DESTDIR=/pkg\nCMD [\"x\"]\n",
		tools:     []string{"gcc", "make"},
		steps:     []string{"configure", "make"},
		artifacts: []string{"/pkg", "/src"},
	}, {
		name:      "make install after configure is staged",
		df:        "FROM debian:12\nRUN apt-get install -y build-essential\nCOPY . /src\nRUN cd /src && ./configure --prefix=/opt/tool && make -j4 && make install\nCMD [\"tool\"]\n",
		tools:     []string{"build-essential"},
		steps:     []string{"configure", "make"},
		artifacts: []string{"/staging/", "/src"},
	}, {
		name:      "install-like targets (suidinstall) are staged",
		df:        "FROM debian:12\nRUN apt-get install -y build-essential curl\nRUN mkdir /opt/src && cd /opt/src && curl -sSL https://x/a.tgz | tar xz && ./configure --prefix=/opt/k && make && make suidinstall && cd / && rm -rf /opt/src\nCMD [\"k\"]\n",
		tools:     []string{"build-essential"},
		steps:     []string{"configure", "make"},
		artifacts: []string{"/staging/"},
	}, {
		name:      "cmake --install is staged; the build dir outside the sources is copied",
		df:        "FROM gcc:13\nCOPY . /src\nRUN cmake -S /src -B /build -DCMAKE_INSTALL_PREFIX=/opt/app && cmake --build /build && cmake --install /build\nCMD [\"/opt/app/bin/app\"]\n",
		tools:     []string{"gcc:13"},
		steps:     []string{"cmake"},
		artifacts: []string{"/staging/", "/build", "/src"},
	}, {
		name:      "go build -o relative to cd, with GOBIN install",
		df:        "FROM golang:1.22\nENV GOBIN=/usr/local/gobin\nWORKDIR /src\nCOPY . .\nRUN cd cmd/app && go build -o ../../bin/app . && go install ./tool\nCMD [\"/src/bin/app\"]\n",
		tools:     []string{"golang:1.22"},
		steps:     []string{"go build", "go install"},
		artifacts: []string{"/src", "/usr/local/gobin"},
	}, {
		name:      "cargo install without root goes to CARGO_HOME",
		df:        "FROM rust:1.75\nWORKDIR /app\nCOPY . .\nRUN cargo install --path .\nCMD [\"app\"]\n",
		tools:     []string{"rust:1.75"},
		steps:     []string{"cargo install"},
		artifacts: []string{"/app", "/usr/local/cargo/bin"},
	}, {
		name:      "pip --user as root and a venv through VIRTUAL_ENV",
		df:        "FROM python:3.12\nENV VIRTUAL_ENV=/venv\nRUN python3 -m venv $VIRTUAL_ENV\nCOPY req.txt /tmp/\nRUN pip install -r /tmp/req.txt && pip install --user tool\nCMD [\"python\"]\n",
		tools:     []string{"python:3.12"},
		steps:     []string{"pip install"},
		artifacts: []string{"/root/.local", "/venv"},
	}, {
		name:      "downloads in / are not artifacts, named ones are; rm forgets",
		df:        "FROM debian:12\nRUN apt-get install -y gcc make curl\nRUN curl -O https://x/src.tgz && tar xzf src.tgz && cd src && make && make install && cd / && rm -rf /src src.tgz\nRUN curl -fsSL -o /usr/local/bin/tini https://x/tini\nENTRYPOINT [\"tini\", \"--\"]\nCMD [\"/usr/local/bin/app\"]\n",
		tools:     []string{"gcc", "make"},
		steps:     []string{"make"},
		artifacts: []string{"/staging/", "/usr/local"},
	}, {
		name:      "mkdir, ln, redirect, sed -i and chown write artifacts; /tmp and mounts do not",
		df:        "FROM debian:12\nRUN apt-get install -y gcc\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/cache gcc -o /cache/x x.c && gcc -o /app/bin/x x.c\nRUN mkdir -p /var/lib/app /tmp/scratch && ln -s /app/bin/x /usr/bin/x && echo k=v > /etc/app.conf && sed -i s/a/b/ /etc/nginx/nginx.conf && chown -R 1000 /srv/data\nCMD [\"x\"]\n",
		tools:     []string{"gcc"},
		steps:     []string{"gcc"},
		artifacts: []string{"/app", "/etc/app.conf", "/etc/nginx/nginx.conf", "/srv/data", "/usr/bin/x", "/var/lib/app"},
	}, {
		name:      "the caches of build tools are not artifacts, in any home or CARGO_HOME (toolcache)",
		df:        "FROM debian:12\nRUN apt-get install -y gcc make\nRUN useradd -m app\nCOPY . /src\nRUN make -C /src && mkdir -p /home/app/.cache/pip /root/.cargo/git/db /usr/local/cargo/git/db /home/app/.local/bin && cp /src/x /home/app/.local/bin/\nCMD [\"/home/app/.local/bin/x\"]\n",
		tools:     []string{"gcc", "make"},
		steps:     []string{"make"},
		artifacts: []string{"/home/app/.local/bin", "/src"},
	}, {
		name:      "purged packages are not tools; the compilers then installed again are",
		df:        "FROM debian:12\nRUN apt-get install -y gcc make && apt-get purge -y gcc make\nRUN apt-get install -y g++\nWORKDIR /w\nCOPY . .\nRUN make\nCMD [\"./w\"]\n",
		tools:     []string{"g++"},
		steps:     []string{"make"},
		artifacts: []string{"/w"},
	}, {
		name:      "npm ci is a build only with a compiler",
		df:        "FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\nCMD [\"node\", \"index.js\"]\n",
		artifacts: []string{"/app"},
	}, {
		name:    "unknown WORKDIR",
		df:      "FROM golang:1.22\nARG DIR\nWORKDIR $DIR\nCOPY . .\nRUN go build -o app .\nCMD [\"./app\"]\n",
		tools:   []string{"golang:1.22"},
		steps:   []string{"go build"},
		problem: "under an unknown WORKDIR",
	}, {
		name:      "ARG default and build-arg-free expansion",
		df:        "FROM golang:1.22\nARG OUT=/out\nWORKDIR /src\nCOPY . .\nRUN go build -o ${OUT}/app .\nCMD [\"/out/app\"]\n",
		tools:     []string{"golang:1.22"},
		steps:     []string{"go build"},
		artifacts: []string{"/out/app", "/src"},
	}, {
		name:    "a local .deb cannot be reinstalled",
		df:      "FROM debian:12\nRUN apt-get install -y ./tool.deb gcc\nWORKDIR /a\nCOPY . .\nRUN gcc -o app app.c\nCMD [\"./app\"]\n",
		tools:   []string{"gcc"},
		steps:   []string{"gcc"},
		problem: "local package file",
	}, {
		name:      "exec-form RUN",
		df:        "FROM debian:12\nRUN apt-get install -y make gcc\nWORKDIR /a\nCOPY . .\nRUN [\"make\", \"-C\", \"src\"]\nCMD [\"./a\"]\n",
		tools:     []string{"make", "gcc"},
		steps:     []string{"make"},
		artifacts: []string{"/a"},
	}, {
		name:      "tar's old-style options with named members and --strip into /usr/bin",
		df:        "FROM debian:12\nRUN apt-get install -y gcc make curl xz-utils\nRUN curl -L https://x/t.txz | tar xJC /usr/bin/ t-1/bin/a t-1/bin/b --strip 2\nWORKDIR /w\nCOPY . .\nRUN make\nCMD [\"a\"]\n",
		tools:     []string{"gcc", "make"},
		steps:     []string{"make"},
		artifacts: []string{"/usr/bin/a", "/usr/bin/b", "/w"},
	}, {
		name:    "tar into /usr/bin without members",
		df:      "FROM debian:12\nRUN apt-get install -y gcc make curl xz-utils\nRUN curl -L https://x/t.txz | tar -xJ -C /usr/bin\nWORKDIR /w\nCOPY . .\nRUN make\nCMD [\"a\"]\n",
		tools:   []string{"gcc", "make"},
		problem: "extracts an archive into /usr/bin",
	}, {
		name:    "dpkg -i through xargs",
		df:      "FROM debian:12\nRUN apt-get install -y build-essential\nWORKDIR /w\nCOPY . .\nRUN make && ls *.deb | xargs -r dpkg -i\nCMD [\"a\"]\n",
		tools:   []string{"build-essential"},
		problem: "dpkg -i",
	}, {
		name:    "apt-mark manual decides the packages during the build",
		df:      "FROM debian:12\nRUN apt-get install -y gcc make libssl-dev\nWORKDIR /w\nCOPY . .\nRUN make && apt-mark manual libssl3\nCMD [\"./a\"]\n",
		tools:   []string{"gcc", "make", "libssl-dev"},
		problem: "apt-mark manual",
	}, {
		name:      "cp into a directory names the file",
		df:        "FROM debian:12\nRUN apt-get install -y gcc\nRUN gcc -o /tmp/a a.c && cp /tmp/a /usr/local/bin && install -m 755 /tmp/a /usr/bin/\nCMD [\"a\"]\n",
		tools:     []string{"gcc"},
		steps:     []string{"gcc"},
		artifacts: []string{"/usr/bin/a", "/usr/local/bin/a"},
	}, {
		name:      "COPY into a system directory names the file",
		df:        "FROM debian:12\nRUN apt-get install -y gcc\nCOPY entrypoint.sh /usr/bin/\nCOPY app.conf /etc/\nWORKDIR /a\nCOPY . .\nRUN gcc -o app app.c\nENTRYPOINT [\"entrypoint.sh\"]\n",
		tools:     []string{"gcc"},
		steps:     []string{"gcc"},
		artifacts: []string{"/a", "/etc/app.conf", "/usr/bin/entrypoint.sh"},
	}, {
		name:    "COPY of a directory's content into a system directory cannot be named",
		df:      "FROM debian:12\nRUN apt-get install -y gcc\nCOPY conf/ /etc/\nWORKDIR /a\nCOPY . .\nRUN gcc -o app app.c\nCMD [\"./app\"]\n",
		tools:   []string{"gcc"},
		problem: "cannot be named file by file",
	}, {
		name:    "a RUN under PowerShell cannot be read",
		df:      "FROM debian:12\nRUN apt-get install -y make\nSHELL [\"pwsh\", \"-c\"]\nWORKDIR /a\nRUN make\nCMD [\"./a\"]\n",
		tools:   []string{"make"},
		problem: "cannot read the RUN command",
	}}
	o, err := Options{}.compile()
	if err != nil {
		t.Fatal(err)
	}
	table := o.table
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := source.Parse("Dockerfile", []byte(tt.df))
			if err != nil {
				t.Fatal(err)
			}
			a, err := analyze(context.Background(), f, f.Stages[len(f.Stages)-1], table, globalEnv(f, nil))
			if err != nil {
				t.Fatal(err)
			}
			p := makePlan(a, o)
			if got := a.tools(); !slices.Equal(got, tt.tools) {
				t.Errorf("tools = %q, want %q", got, tt.tools)
			}
			if got := a.buildSteps(); tt.steps != nil && !slices.Equal(got, tt.steps) {
				t.Errorf("steps = %q, want %q", got, tt.steps)
			}
			var arts []string
			if p.staging != "" {
				arts = append(arts, p.staging+"/")
			}
			for _, x := range p.artifacts {
				arts = append(arts, x.path)
			}
			if tt.artifacts != nil && !slices.Equal(arts, tt.artifacts) {
				t.Errorf("artifacts = %q, want %q", arts, tt.artifacts)
			}
			probs := strings.Join(a.problems, "; ")
			if tt.problem == "" && len(a.tools()) > 0 && len(a.buildSteps()) > 0 && probs != "" {
				t.Errorf("unexpected problems: %s", probs)
			}
			if tt.problem != "" && !strings.Contains(probs, tt.problem) {
				t.Errorf("problems %q do not mention %q", probs, tt.problem)
			}
		})
	}
}

func TestParseLine(t *testing.T) {
	w := func(ss ...string) []word {
		var out []word
		for _, s := range ss {
			out = append(out, word{v: s, ok: true, raw: s})
		}
		return out
	}
	l := parseLine(w("-o", "out", "-xzf", "a.tgz", "--prefix=/p", "--root", "/r", "op", "--", "-notopt"), "-o", "--root", "-f")
	if v, _ := l.value("-o"); v.v != "out" {
		t.Errorf("-o = %q", v.v)
	}
	if v, _ := l.value("--prefix"); v.v != "/p" {
		t.Errorf("--prefix = %q", v.v)
	}
	if v, _ := l.value("--root"); v.v != "/r" {
		t.Errorf("--root = %q", v.v)
	}
	if !l.has("-x", "-z") {
		t.Errorf("cluster -xzf not split: %v", l.opts)
	}
	if v, _ := l.value("-f"); v.v != "a.tgz" {
		t.Errorf("-f in a cluster takes the next word, got %q", v.v)
	}
	if got := []string{l.operand(0), l.operand(1)}; !slices.Equal(got, []string{"op", "-notopt"}) {
		t.Errorf("operands = %q", got)
	}
}

func TestFreeName(t *testing.T) {
	tests := []struct {
		df, want string
	}{
		{"FROM a\n", "build"},
		{"FROM a AS BUILD\nFROM b\n", "builder"},
		{"FROM a AS build\nFROM b AS builder\nCOPY --from=build-stage /x /x\n", "build2"},
		{"FROM build\n", "builder"},
	}
	for _, tt := range tests {
		f, err := source.Parse("Dockerfile", []byte(tt.df))
		if err != nil {
			t.Fatal(err)
		}
		if got := freeName(f); got != tt.want {
			t.Errorf("freeName(%q) = %q, want %q", tt.df, got, tt.want)
		}
	}
}

func TestBuildOnly(t *testing.T) {
	for _, tt := range []struct {
		fam, pkg string
		want     bool
	}{
		{famApt, "gcc", true}, {famApt, "gcc-12", true}, {famApt, "gcc-12-base", false},
		{famApt, "libssl-dev", true}, {famApt, "libssl-dev:amd64", true}, {famApt, "libssl3", false},
		{famApt, "golang-1.21-go", true}, {famApt, "openjdk-17-jdk-headless", true}, {famApt, "openjdk-17-jre", false},
		{famApt, "curl", false}, {famApt, "python3", false}, {famApt, "python3-pip", true}, {famApt, "libmaven-jar-plugin-java", true},
		{famApk, "build-base", true}, {famApk, "musl-dev", true}, {famApk, "libstdc++", false},
		{famRPM, "gcc-c++", true}, {famRPM, "openssl-devel", true}, {famRPM, "openssl-libs", false},
	} {
		if got := buildOnly(tt.fam, tt.pkg); got != tt.want {
			t.Errorf("buildOnly(%s, %s) = %v, want %v", tt.fam, tt.pkg, got, tt.want)
		}
	}
	if jre, _ := jreFor("openjdk-17-jdk-headless"); jre != "openjdk-17-jre-headless" {
		t.Errorf("jreFor = %q", jre)
	}
	for op, want := range map[string]string{"curl=7.88.1-10": "curl", "libssl3/bookworm": "libssl3", "py3-pip~=23": "py3-pip", "gcc": "gcc"} {
		if got := packageName(op); got != want {
			t.Errorf("packageName(%q) = %q, want %q", op, got, want)
		}
	}
}
