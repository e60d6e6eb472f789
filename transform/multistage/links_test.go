package multistage

import (
	"strings"
	"testing"
)

func TestStagingLinks(t *testing.T) {
	const usr, man = "/bin /sbin /lib ", "/usr/local/man"
	tests := []struct{ base, want string }{
		{"debian:bookworm-slim", usr + man},
		{"debian:trixie-slim", usr + man},
		{"debian:12-slim", usr + man},
		{"debian:bullseye-slim", man}, // /usr is not merged before bookworm
		{"python:3.12-slim-bullseye", man},
		{"python:3.12-slim", usr + man}, // every shipped release is merged
		{"ubuntu:24.04", usr + man},
		{"ubuntu:20.04", man},
		{"ubuntu", man}, // release unknown: only what every release has
		{"example.com/runtime:1.0", ""},
		{"debian:${RELEASE}-slim", ""},
		{"gcr.io/distroless/cc-debian12", ""},
		{"alpine:3.20", ""},
		{"scratch", ""},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range stagingLinks(tt.base, &ruleOptions{}) {
			got = append(got, l.path)
		}
		if strings.Join(got, " ") != tt.want {
			t.Errorf("stagingLinks(%q) = %q, want %q", tt.base, got, tt.want)
		}
	}
}

func TestLinkSeed(t *testing.T) {
	st := style{eol: "\r\n", esc: "\\"}
	links := []dirLink{{"/bin", "usr/bin"}, {"/lib", "usr/lib"}, {"/usr/local/man", "share/man"}, {"/opt/odd", "../srv/other"}}
	got := linkSeed(links, "/staging2", "debian:trixie-slim", st)
	want := "# Links as in debian:trixie-slim (/bin, /lib, /usr/local/man, /opt/odd),\r\n" +
		"# for the staged install to write through and the COPY of /staging2 to keep.\r\n" +
		"RUN mkdir -p /staging2/usr/bin /staging2/usr/lib /staging2/usr/local/share/man /staging2/srv/other \\\r\n" +
		" && ln -s usr/bin usr/lib /staging2/ \\\r\n" +
		" && ln -s share/man /staging2/usr/local/ \\\r\n" +
		" && ln -s ../srv/other /staging2/opt/odd\r\n"
	if got != want {
		t.Errorf("linkSeed:\n%s\nwant:\n%s", got, want)
	}
	got = linkSeed(links[2:3], "/staging", "ubuntu", style{lower: true, eol: "\n", esc: "`"})
	want = "# Links as in ubuntu (/usr/local/man),\n"
	if !strings.HasPrefix(got, want) || !strings.Contains(got, "\nrun mkdir -p /staging/usr/local/share/man `\n && ln -s share/man /staging/usr/local/\n") {
		t.Errorf("linkSeed, one link, lower case:\n%s", got)
	}
}
