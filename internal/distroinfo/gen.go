//go:build ignore

// gen.go refreshes data/debian.csv, data/ubuntu.csv and data/VERSION from
// Debian's distro-info-data package: go generate ./internal/distroinfo.
//
// It downloads the package with apt-get (so from the machine's configured
// Debian sources: run apt-get update first), unpacks it into a temporary
// directory with dpkg-deb and copies the two CSV files. Nothing is
// installed.
package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "distroinfo gen:", err)
		os.Exit(1)
	}
}

func run() error {
	tmp, err := os.MkdirTemp("", "distroinfo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// apt-get downloads as the _apt user where it can: let it write here.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	dl := exec.Command("apt-get", "download", "distro-info-data")
	dl.Dir, dl.Stdout, dl.Stderr = tmp, os.Stderr, os.Stderr
	if err := dl.Run(); err != nil {
		return fmt.Errorf("apt-get download distro-info-data: %w", err)
	}
	debs, _ := filepath.Glob(filepath.Join(tmp, "distro-info-data_*.deb"))
	if len(debs) != 1 {
		return fmt.Errorf("want one distro-info-data .deb, got %v", debs)
	}
	ver, err := exec.Command("dpkg-deb", "-f", debs[0], "Version").Output()
	if err != nil {
		return fmt.Errorf("dpkg-deb -f: %w", err)
	}
	root := filepath.Join(tmp, "root")
	if out, err := exec.Command("dpkg-deb", "-x", debs[0], root).CombinedOutput(); err != nil {
		return fmt.Errorf("dpkg-deb -x: %v: %s", err, out)
	}
	for _, name := range []string{"debian.csv", "ubuntu.csv"} {
		data, err := os.ReadFile(filepath.Join(root, "usr/share/distro-info", name))
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join("data", name), data, 0o644); err != nil {
			return err
		}
	}
	v := strings.TrimSpace(string(ver))
	return os.WriteFile(filepath.Join("data", "VERSION"), []byte("distro-info-data "+v+"\n"), 0o644)
}
