package builder_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/dockmend/dockmend/internal/builder"
)

// fakeBuildah is a buildah whose "build" fails as runc's nsenter does when
// it cannot seal its memfd (the first $FAILS times), or fails for good
// with another message when $FAILS is "always-other"; it counts its builds
// in $COUNT.
const fakeBuildah = `#!/bin/sh
case "$1" in
build)
	n=$(cat "$COUNT" 2>/dev/null || echo 0); n=$((n+1)); echo "$n" > "$COUNT"
	if [ "$FAILS" = always-other ]; then echo 'Error: building at STEP "RUN make": exit status 2' >&2; exit 1; fi
	if [ "$n" -le "$FAILS" ]; then
		echo 'Close_Fd sealing memfd copy: Device or resource busy' >&2
		echo 'Error: building at STEP "RUN make": exit status 1' >&2
		exit 1
	fi
	while [ $# -gt 0 ]; do [ "$1" = --iidfile ] && echo sha256:0123 > "$2"; shift; done
	;;
esac
exit 0
`

// TestBuildRetriesRuntimeStart: a build the container runtime failed to
// start (runc's "sealing memfd copy: Device or resource busy", seen when
// many containers start at once) is tried again, at most three times in
// all, and says so in the log; other failures are not retried.
func TestBuildRetriesRuntimeStart(t *testing.T) {
	dir := t.TempDir()
	bin := filepath.Join(dir, "buildah")
	if err := os.WriteFile(bin, []byte(fakeBuildah), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		fails  string
		builds int
		ok     bool
	}{
		{"0", 1, true},
		{"2", 3, true},
		{"3", 3, false},
		{"always-other", 1, false},
	} {
		t.Run("fails="+tc.fails, func(t *testing.T) {
			count := filepath.Join(t.TempDir(), "count")
			b, err := builder.New("buildah", bin, []string{"COUNT=" + count, "FAILS=" + tc.fails})
			if err != nil {
				t.Fatal(err)
			}
			var log bytes.Buffer
			id, err := b.Build(context.Background(), builder.BuildRequest{Dockerfile: "Dockerfile", Context: dir, Tag: "localhost/x:1", Log: &log})
			n, _ := os.ReadFile(count)
			if got, _ := strconv.Atoi(strings.TrimSpace(string(n))); got != tc.builds {
				t.Errorf("%d builds, want %d", got, tc.builds)
			}
			if tc.ok != (err == nil) || tc.ok && id != "sha256:0123" {
				t.Fatalf("Build = %q, %v; want success %v", id, err, tc.ok)
			}
			retries := strings.Count(log.String(), "trying again")
			if want := tc.builds - 1; retries != want {
				t.Errorf("log says %d retries, want %d:\n%s", retries, want, log.String())
			}
		})
	}
}
