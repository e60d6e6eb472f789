// Package buildtest gives tests real image builds with Buildah and Podman
// in a storage root of their own, and a tiny base image to build on.
//
// Each call of New makes a directory with a containers/storage root, a
// containers.conf and a registries.conf that work on a plain root
// machine without systemd (runc, cgroupfs, host network, the rlimits a
// container may set), and imports the machine's statically linked busybox
// as the image BaseImage. Nothing outside the directory is touched, so
// tests do not collide with the e2e harness or with each other. Cleanup
// removes the containers and unmounts and deletes the directory.
//
// Builds need root, Linux, buildah (and podman for Podman tests) and a
// static busybox (Debian's busybox-static). Without them the test is
// skipped, except under CI=true (or DOCKMEND_BUILD_TESTS=1), where a
// missing prerequisite fails it: CI must never skip the builds silently.
package buildtest

import (
	"bytes"
	"context"
	"debug/elf"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
)

// BaseImage is the busybox image New imports.
const BaseImage = "localhost/dockmend-test-busybox:latest"

// Env is a storage root for builds.
type Env struct {
	// Dir holds the storage root and the configuration files.
	Dir string
	// Vars are the environment variables (KEY=value) that point buildah
	// and podman at Dir; give them to every command.
	Vars []string
	// Buildah and Podman are the tools' paths; Podman is "" when podman
	// is not installed.
	Buildah, Podman string
}

// Required reports whether build tests must run here rather than skip:
// CI=true or DOCKMEND_BUILD_TESTS=1.
func Required() bool {
	return os.Getenv("CI") == "true" || os.Getenv("CI") == "1" || os.Getenv("DOCKMEND_BUILD_TESTS") == "1"
}

// Unavailable returns why builds cannot run on this machine, or "".
func Unavailable() string {
	if runtime.GOOS != "linux" {
		return "image builds need Linux"
	}
	if os.Geteuid() != 0 {
		return "image builds need root (buildah --isolation chroot)"
	}
	if _, err := exec.LookPath("buildah"); err != nil {
		return "buildah is not installed (apt-get install buildah podman runc busybox-static)"
	}
	if _, err := exec.LookPath("runc"); err != nil {
		return "runc is not installed (apt-get install runc)"
	}
	if staticBusybox() == "" {
		return "no statically linked busybox (apt-get install busybox-static)"
	}
	return ""
}

// Skip skips t when builds cannot run here, or fails it when they are
// Required.
func Skip(t testing.TB) {
	t.Helper()
	why := Unavailable()
	if why == "" {
		return
	}
	if Required() {
		t.Fatalf("%s; CI=true requires the build tests (install the packages in .ci/run)", why)
	}
	t.Skip(why)
}

// New returns a fresh storage root with BaseImage in it; see the package
// comment. It skips or fails t when builds cannot run here, and removes
// the storage root when t ends.
func New(t testing.TB) *Env {
	t.Helper()
	Skip(t)
	e, err := Create()
	if e != nil {
		t.Cleanup(func() {
			if err := e.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// Create makes a fresh storage root with BaseImage in it; see the
// package comment. Close removes it. Unlike New, it does not check that
// builds can run here (see Unavailable). On error, the Env returned, if
// not nil, must still be closed.
func Create() (*Env, error) {
	dir, err := os.MkdirTemp("", "dockmend-buildtest-")
	if err != nil {
		return nil, err
	}
	e := &Env{Dir: dir}
	e.Buildah, _ = exec.LookPath("buildah")
	e.Podman, _ = exec.LookPath("podman")
	for _, d := range []string{"storage", "runroot", "tmp"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o700); err != nil {
			return e, err
		}
	}
	files := map[string]string{
		"storage.conf": fmt.Sprintf("[storage]\ndriver = \"overlay\"\ngraphroot = %q\nrunroot = %q\n",
			filepath.Join(dir, "storage"), filepath.Join(dir, "runroot")),
		// crun fails on hybrid cgroups; without CAP_SYS_RESOURCE the
		// default rlimits cannot be set; there is no systemd.
		"containers.conf": "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=4096:4096\"]\nnetns = \"host\"\n" +
			"[engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\nevents_logger = \"file\"\n",
		// No registry: every image a test uses is local.
		"registries.conf": "unqualified-search-registries = []\nshort-name-mode = \"permissive\"\n",
	}
	for name, text := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			return e, err
		}
	}
	e.Vars = []string{
		"CONTAINERS_STORAGE_CONF=" + filepath.Join(dir, "storage.conf"),
		"CONTAINERS_CONF=" + filepath.Join(dir, "containers.conf"),
		"CONTAINERS_REGISTRIES_CONF=" + filepath.Join(dir, "registries.conf"),
		"BUILDAH_ISOLATION=chroot",
		"TMPDIR=" + filepath.Join(dir, "tmp"),
	}
	return e, e.importBusybox()
}

// Run runs a command with the environment's variables and returns its
// combined output; it fails t when the command fails.
func (e *Env) Run(t testing.TB, name string, args ...string) string {
	t.Helper()
	out, err := e.Output(name, args...)
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return out
}

// Output runs a command with the environment's variables and returns its
// combined output and error.
func (e *Env) Output(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = append(os.Environ(), e.Vars...)
	var b bytes.Buffer
	cmd.Stdout, cmd.Stderr = &b, &b
	err := cmd.Run()
	if err != nil {
		err = fmt.Errorf("%s %s: %v\n%s", name, strings.Join(args, " "), err, b.String())
	}
	return b.String(), err
}

// Environ returns os.Environ with the environment's variables.
func (e *Env) Environ() []string { return append(os.Environ(), e.Vars...) }

// importBusybox makes BaseImage: busybox, its applet links, /etc/passwd
// and /tmp, with CMD ["sh"].
func (e *Env) importBusybox() error {
	root := filepath.Join(e.Dir, "rootfs")
	defer os.RemoveAll(root)
	for _, d := range []string{"bin", "etc", "tmp", "root"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			return err
		}
	}
	if err := os.Chmod(filepath.Join(root, "tmp"), 0o1777); err != nil {
		return err
	}
	bb := filepath.Join(root, "bin", "busybox")
	data, err := os.ReadFile(staticBusybox())
	if err != nil {
		return err
	}
	if err := os.WriteFile(bb, data, 0o755); err != nil {
		return err
	}
	list, err := exec.Command(bb, "--list").Output()
	if err != nil {
		return fmt.Errorf("busybox --list: %v", err)
	}
	for _, a := range strings.Fields(string(list)) {
		if a != "busybox" {
			if err := os.Symlink("busybox", filepath.Join(root, "bin", a)); err != nil {
				return err
			}
		}
	}
	for name, text := range map[string]string{"passwd": "root:x:0:0:root:/root:/bin/sh\n", "group": "root:x:0:\n"} {
		if err := os.WriteFile(filepath.Join(root, "etc", name), []byte(text), 0o644); err != nil {
			return err
		}
	}
	out, err := e.Output(e.Buildah, "from", "scratch")
	if err != nil {
		return err
	}
	ctr := strings.TrimSpace(out)
	for _, args := range [][]string{
		{"copy", ctr, root + "/", "/"},
		{"config", "--cmd", "sh", "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", ctr},
		{"commit", "--quiet", "--rm", "--format", "docker", ctr, BaseImage},
	} {
		if _, err := e.Output(e.Buildah, args...); err != nil {
			return err
		}
	}
	return nil
}

// staticBusybox returns the path of a statically linked busybox, or "".
func staticBusybox() string {
	for _, p := range []string{"/bin/busybox", "/usr/bin/busybox"} {
		f, err := elf.Open(p)
		if err != nil {
			continue
		}
		static := true
		for _, prog := range f.Progs {
			if prog.Type == elf.PT_INTERP {
				static = false
			}
		}
		f.Close()
		if static {
			return p
		}
	}
	return ""
}

// Close deletes the containers of the storage root, unmounts what
// containers/storage left mounted under it, and deletes it.
func (e *Env) Close() error {
	if e.Buildah != "" {
		e.Output(e.Buildah, "rm", "--all")
	}
	if e.Podman != "" {
		e.Output(e.Podman, "rm", "--all", "--force")
	}
	var errs []error
	for _, m := range mountsUnder(e.Dir) {
		if err := syscall.Unmount(m, syscall.MNT_DETACH); err != nil {
			errs = append(errs, fmt.Errorf("unmount %s: %w", m, err))
		}
	}
	if err := os.RemoveAll(e.Dir); err != nil {
		errs = append(errs, fmt.Errorf("removing the build storage: %w", err))
	}
	return errors.Join(errs...)
}

// mountsUnder lists the mount points under dir, deepest first.
func mountsUnder(dir string) []string {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	var out []string
	for _, line := range strings.Split(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) > 4 && strings.HasPrefix(f[4], dir+"/") {
			out = append(out, f[4])
		}
	}
	sort.Sort(sort.Reverse(sort.StringSlice(out)))
	return out
}
