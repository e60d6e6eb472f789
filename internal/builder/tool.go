package builder

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"time"
)

// tool is a Builder that runs one of the command-line tools.
type tool struct {
	kind string // "docker", "podman" or "buildah"
	path string
	env  []string

	buildxOnce sync.Once
	buildx     bool // docker: "docker buildx build" is available

	runner *tool // buildah: podman, which runs containers instead, if found

	mu          sync.Mutex
	before      map[string]bool // working containers that existed before the first build
	interrupted bool            // a command was stopped: Cleanup has work
}

func newTool(_ context.Context, kind, path string, env []string) *tool {
	t := &tool{kind: kind, path: path, env: env}
	if kind == "buildah" {
		// "buildah run" with chroot isolation loses the command's output
		// now and then (buildah 1.28: 2 of 40 runs under load); podman,
		// on the same storage, runs the smoke command when it is there.
		if p, err := exec.LookPath("podman"); err == nil {
			t.runner = &tool{kind: "podman", path: p, env: env}
		}
	}
	return t
}

// New returns the builder of the given kind ("docker", "podman" or
// "buildah") that runs the executable at path with env added to the
// environment. Find is the usual way to get one.
func New(kind, path string, env []string) (Builder, error) {
	if !known(kind) {
		return nil, fmt.Errorf("unknown builder %q (builders: %s)", kind, strings.Join(Names, ", "))
	}
	return newTool(context.Background(), kind, path, env), nil
}

func (t *tool) Name() string { return t.kind }

// ping checks that the docker daemon answers.
func (t *tool) ping(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err := t.output(ctx, nil, "version", "--format", "{{.Server.Version}}")
	return err
}

func (t *tool) Build(ctx context.Context, req BuildRequest) (string, error) {
	if err := t.snapshot(ctx); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp("", "dockmend-iid-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(dir)
	iid := dir + "/iid"
	var args, env []string
	switch t.kind {
	case "docker":
		t.buildxOnce.Do(func() {
			_, err := t.output(ctx, nil, "buildx", "version")
			t.buildx = err == nil
		})
		if t.buildx {
			args = []string{"buildx", "build", "--load"}
		} else {
			args = []string{"build"}
			env = []string{"DOCKER_BUILDKIT=1"}
		}
		args = append(args, "--progress=plain")
	case "podman":
		// Docker's image format keeps HEALTHCHECK and SHELL, which OCI's drops.
		args = []string{"build", "--format", "docker"}
	case "buildah":
		// --layers: one layer per instruction, as Docker builds.
		args = []string{"build", "--format", "docker", "--layers", "--force-rm"}
	}
	args = append(args, "--iidfile", iid, "-t", req.Tag, "-f", req.Dockerfile)
	if req.Target != "" {
		args = append(args, "--target", req.Target)
	}
	if req.Platform != "" {
		args = append(args, "--platform", req.Platform)
	}
	for _, a := range req.BuildArgs {
		args = append(args, "--build-arg", a)
	}
	args = append(args, req.Context)
	err = t.run(ctx, env, nil, req.Log, args...)
	for try := 1; try < runtimeTries && transient(err); try++ {
		retrying(req.Log)
		err = t.run(ctx, env, nil, req.Log, args...)
	}
	if err != nil {
		return "", err
	}
	id, err := os.ReadFile(iid)
	if err != nil {
		return "", fmt.Errorf("%s build wrote no image id: %w", t.kind, err)
	}
	return strings.TrimSpace(string(id)), nil
}

func (t *tool) Save(ctx context.Context, ref, path string) error {
	var args []string
	switch t.kind {
	case "docker":
		args = []string{"save", "-o", path, ref}
	case "podman":
		args = []string{"save", "-q", "--format", "docker-archive", "-o", path, ref}
	case "buildah":
		args = []string{"push", "-q", ref, "docker-archive:" + path}
	}
	return t.run(ctx, nil, nil, nil, args...)
}

func (t *tool) Inspect(ctx context.Context, ref string) (*Image, error) {
	args := []string{"image", "inspect", ref}
	if t.kind == "buildah" {
		args = []string{"inspect", "--type", "image", ref}
	}
	out, err := t.output(ctx, nil, args...)
	if err != nil {
		return nil, err
	}
	img, err := parseInspect(t.kind, out)
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading its output: %w", t.kind, strings.Join(args, " "), err)
	}
	return img, nil
}

func (t *tool) Run(ctx context.Context, req RunRequest) (*RunResult, error) {
	if t.runner != nil {
		return t.runner.Run(ctx, req)
	}
	max := req.MaxOutput
	if max <= 0 {
		max = 1 << 20
	}
	var out *limitedBuffer
	var err error
	for try := 0; try == 0 || try < runtimeTries && transient(err); try++ {
		if try > 0 {
			retrying(nil)
		}
		out = &limitedBuffer{max: max}
		err = t.runOnce(ctx, req, out)
	}
	output := out.Bytes()
	if t.kind == "buildah" {
		output = trimBuildahStatus(output)
	}
	var ee *exitError
	switch {
	case errors.As(err, &ee) && ctx.Err() == nil:
		return &RunResult{ExitCode: ee.code, Output: output, Truncated: out.truncated}, nil
	case err != nil:
		return nil, err
	}
	return &RunResult{Output: output, Truncated: out.truncated}, nil
}

// runOnce runs the container of req once, its output to out.
func (t *tool) runOnce(ctx context.Context, req RunRequest, out *limitedBuffer) error {
	var err error
	switch t.kind {
	case "docker", "podman":
		// The health check is not part of the smoke test; without
		// systemd podman would print errors about it.
		args := []string{"run", "--rm", "--no-healthcheck", "--name", req.Name}
		if t.kind == "podman" {
			args = append(args, "--pull=never")
		}
		if req.Platform != "" {
			args = append(args, "--platform", req.Platform)
		}
		args = append(args, req.Image)
		args = append(args, req.Args...)
		err = t.run(ctx, nil, out, out, args...)
		if ctx.Err() != nil {
			t.remove(context.WithoutCancel(ctx), "rm", "-f", req.Name)
		}
	case "buildah":
		err = t.runBuildah(ctx, req, out)
	}
	return err
}

// buildahStatus matches the lines "buildah run" adds to a command's
// output when the command fails.
var buildahStatus = regexp.MustCompile(`(?m)^(subprocess exited with status \d+|Error: exit status \d+|error while running runtime: exit status \d+)\n?`)

// trimBuildahStatus removes buildah's own lines from the end of a run's
// output, so that it is the container's alone.
func trimBuildahStatus(out []byte) []byte {
	for {
		locs := buildahStatus.FindAllIndex(out, -1)
		if len(locs) == 0 || locs[len(locs)-1][1] != len(out) {
			return out
		}
		out = out[:locs[len(locs)-1][0]]
	}
}

// runBuildah runs a container with buildah: "buildah run" takes the
// command as given, so the image's ENTRYPOINT and CMD are applied here.
func (t *tool) runBuildah(ctx context.Context, req RunRequest, out io.Writer) error {
	cfg := req.Config
	if cfg == nil {
		img, err := t.Inspect(ctx, req.Image)
		if err != nil {
			return err
		}
		cfg = &img.Config
	}
	argv := append([]string{}, cfg.Entrypoint...)
	if req.Args != nil {
		argv = append(argv, req.Args...)
	} else {
		argv = append(argv, cfg.Cmd...)
	}
	if len(argv) == 0 {
		return fmt.Errorf("%s has no ENTRYPOINT or CMD to run", req.Image)
	}
	if _, err := t.output(ctx, nil, "from", "--pull-never", "--name", req.Name, req.Image); err != nil {
		return err
	}
	defer t.remove(context.WithoutCancel(ctx), "rm", req.Name)
	return t.run(ctx, nil, out, out, append([]string{"run", req.Name, "--"}, argv...)...)
}

func (t *tool) Remove(ctx context.Context, refs ...string) error {
	var errs []error
	for _, ref := range refs {
		var args []string
		switch t.kind {
		case "docker":
			args = []string{"image", "rm", ref}
		default:
			args = []string{"rmi", ref}
		}
		if err := t.run(ctx, nil, nil, nil, args...); err != nil && !notFound(err) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// notFound reports whether err says that an image does not exist.
func notFound(err error) bool {
	s := strings.ToLower(err.Error())
	return strings.Contains(s, "no such image") || strings.Contains(s, "image not known") || strings.Contains(s, "not found")
}

// remove runs a removal command whose failure only matters to the log.
func (t *tool) remove(ctx context.Context, args ...string) {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	_ = t.run(ctx, nil, nil, nil, args...)
}

// snapshot records the working containers that exist before the first
// build, so that Cleanup removes only those that builds left behind.
func (t *tool) snapshot(ctx context.Context) error {
	if t.kind == "docker" {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.before != nil {
		return nil
	}
	ids, err := t.workingContainers(ctx)
	if err != nil {
		return err
	}
	t.before = ids
	return nil
}

// workingContainers lists the build containers of buildah or podman.
func (t *tool) workingContainers(ctx context.Context) (map[string]bool, error) {
	args := []string{"containers", "--format", "{{.ContainerID}} {{.ContainerName}}"}
	if t.kind == "podman" {
		args = []string{"ps", "--all", "--external", "--format", "{{.ID}} {{.Names}}"}
	}
	out, err := t.output(ctx, nil, args...)
	if err != nil {
		return nil, err
	}
	ids := map[string]bool{}
	for _, line := range strings.Split(string(out), "\n") {
		id, name, ok := strings.Cut(strings.TrimSpace(line), " ")
		if ok && strings.HasSuffix(name, "-working-container") {
			ids[id] = true
		}
	}
	return ids, nil
}

func (t *tool) Cleanup(ctx context.Context) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if !t.interrupted || t.before == nil {
		return nil
	}
	now, err := t.workingContainers(ctx)
	if err != nil {
		return err
	}
	var errs []error
	for id := range now {
		if t.before[id] {
			continue
		}
		args := []string{"rm", id}
		if t.kind == "podman" {
			args = []string{"rm", "--force", id}
		}
		if err := t.run(ctx, nil, nil, nil, args...); err != nil {
			errs = append(errs, err)
		}
	}
	t.interrupted = false
	return errors.Join(errs...)
}
