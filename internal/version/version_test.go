package version

import (
	"runtime/debug"
	"strings"
	"testing"
)

func TestFormatVersion(t *testing.T) {
	tests := []struct {
		bi   *debug.BuildInfo
		want string // prefix; the Go version and platform follow
	}{
		{nil, "dockmend (devel) "},
		{&debug.BuildInfo{Main: debug.Module{Version: "v1.2.3"}, GoVersion: "go1.26.8"}, "dockmend v1.2.3 go1.26.8 "},
		{&debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, GoVersion: "go1.26.8", Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef0123"},
			{Key: "vcs.time", Value: "2026-11-28T02:16:00Z"},
			{Key: "vcs.modified", Value: "true"},
		}}, "dockmend (devel) (0123456789ab, 2026-11-28T02:16:00Z, modified) go1.26.8 "},
	}
	for _, tt := range tests {
		if got := Format(tt.bi); !strings.HasPrefix(got, tt.want) {
			t.Errorf("Format = %q, want prefix %q", got, tt.want)
		}
	}
}
