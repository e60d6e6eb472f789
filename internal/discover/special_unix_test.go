//go:build unix

package discover

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
)

// TestFindSkipsSpecialFiles puts FIFOs, a socket and links to a device
// and to a FIFO, named like Dockerfiles, in a walked directory: each is
// reported as skipped, with what it is, and none is opened (a FIFO would
// block). Named on the command line, they are errors.
func TestFindSkipsSpecialFiles(t *testing.T) {
	root := makeTree(t,
		"Dockerfile.good",
		"dev.Dockerfile -> /dev/null",
		"linked.Dockerfile -> pipe",
		"sub/",
	)
	for _, name := range []string{"Dockerfile", "pipe", "sub/Containerfile"} {
		if err := syscall.Mkfifo(filepath.Join(root, name), 0o644); err != nil {
			t.Skipf("no FIFOs here: %v", err)
		}
	}
	// A socket path must be short; listen in the tree's directory.
	wd, _ := os.Getwd()
	if err := os.Chdir(root); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("unix", "sock.Dockerfile")
	os.Chdir(wd)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()

	r := Find(context.Background(), []string{root})
	if len(r.Errs) != 0 {
		t.Errorf("errors: %v", r.Errs)
	}
	if got := rel(t, root, r.Files); !slices.Equal(got, []string{"Dockerfile.good"}) {
		t.Errorf("files %q, want only Dockerfile.good", got)
	}
	var got []string
	for _, s := range r.Skipped {
		got = append(got, s.String())
	}
	want := []string{
		filepath.Join(root, "Dockerfile") + ": skipped: not a regular file (a FIFO)",
		filepath.Join(root, "dev.Dockerfile") + ": skipped: not a regular file (a symbolic link to a character device)",
		filepath.Join(root, "linked.Dockerfile") + ": skipped: not a regular file (a symbolic link to a FIFO)",
		filepath.Join(root, "sock.Dockerfile") + ": skipped: not a regular file (a socket)",
		filepath.Join(root, "sub", "Containerfile") + ": skipped: not a regular file (a FIFO)",
	}
	if !slices.Equal(got, want) {
		t.Errorf("skipped:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	// Named: an error each, saying what it is.
	for name, kind := range map[string]string{
		"Dockerfile":        "(a FIFO)",
		"linked.Dockerfile": "(a symbolic link to a FIFO)",
		"sock.Dockerfile":   "(a socket)",
	} {
		path := filepath.Join(root, name)
		r := Find(context.Background(), []string{path})
		if len(r.Files) != 0 || len(r.Errs) != 1 || !strings.Contains(r.Errs[0].Error(), path+": not a regular file or directory "+kind) {
			t.Errorf("Find(%s) = %q, %v; want one error naming it as %s", name, r.Files, r.Errs, kind)
		}
	}
}
