// Package version says which dockmend is running, from the build
// information the Go toolchain records: "dockmend version", SARIF's tool
// version, and the commits and reports of migrate.
package version

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Module returns the main module's version, "(devel)" for a build
// from a source tree.
func Module() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}

// String returns the text of "dockmend version".
func String() string {
	bi, _ := debug.ReadBuildInfo()
	return Format(bi)
}

// Format renders build information as
// "dockmend v1.2.3 (abc123def456, 2026-01-02T03:04:05Z, modified) go1.26.8 linux/amd64".
func Format(bi *debug.BuildInfo) string {
	version := "(devel)"
	var vcs []string
	goVersion := runtime.Version()
	if bi != nil {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		if bi.GoVersion != "" {
			goVersion = bi.GoVersion
		}
		settings := map[string]string{}
		for _, s := range bi.Settings {
			settings[s.Key] = s.Value
		}
		if rev := settings["vcs.revision"]; rev != "" {
			vcs = append(vcs, rev[:min(len(rev), 12)])
			if t := settings["vcs.time"]; t != "" {
				vcs = append(vcs, t)
			}
			if settings["vcs.modified"] == "true" {
				vcs = append(vcs, "modified")
			}
		}
	}
	s := "dockmend " + version
	if len(vcs) > 0 {
		s += " (" + strings.Join(vcs, ", ") + ")"
	}
	return fmt.Sprintf("%s %s %s/%s", s, goVersion, runtime.GOOS, runtime.GOARCH)
}
