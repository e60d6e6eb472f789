package builder_test

import (
	"archive/tar"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/dockmend/dockmend/internal/builder"
	"github.com/dockmend/dockmend/internal/buildtest"
)

func TestFindNames(t *testing.T) {
	ctx := context.Background()
	none := func(string) (string, error) { return "", errors.New("not found") }
	_, err := builder.Find(ctx, builder.FindOptions{LookPath: none})
	if !errors.Is(err, builder.ErrNotFound) {
		t.Fatalf("Find with nothing on PATH: %v, want ErrNotFound", err)
	}
	for _, want := range []string{"docker (not on PATH)", "podman (not on PATH)", "buildah (not on PATH)", "--builder"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not say %q", err, want)
		}
	}
	if _, err := builder.Find(ctx, builder.FindOptions{Name: "kaniko", LookPath: none}); err == nil || !strings.Contains(err.Error(), "not one of docker, podman, buildah") {
		t.Errorf("Find(kaniko) = %v", err)
	}
	if _, err := builder.Find(ctx, builder.FindOptions{Name: "podman", LookPath: none}); !errors.Is(err, builder.ErrNotFound) {
		t.Errorf("Find(podman) without podman = %v", err)
	}
	only := func(name string) func(string) (string, error) {
		return func(n string) (string, error) {
			if filepath.Base(n) == name {
				return "/opt/" + name, nil
			}
			return "", errors.New("not found")
		}
	}
	b, err := builder.Find(ctx, builder.FindOptions{LookPath: only("buildah")})
	if err != nil || b.Name() != "buildah" {
		t.Errorf("Find with buildah on PATH = %v, %v", b, err)
	}
	b, err = builder.Find(ctx, builder.FindOptions{Name: "/usr/local/bin/podman", LookPath: only("podman")})
	if err != nil || b.Name() != "podman" {
		t.Errorf("Find(/usr/local/bin/podman) = %v, %v", b, err)
	}
}

// TestBuilders builds, inspects, saves, runs and removes an image with
// each tool that runs here.
func TestBuilders(t *testing.T) {
	env := buildtest.New(t)
	tools := map[string]string{"buildah": env.Buildah, "podman": env.Podman}
	for _, name := range []string{"buildah", "podman"} {
		t.Run(name, func(t *testing.T) {
			if tools[name] == "" {
				if buildtest.Required() {
					t.Fatalf("%s is not installed", name)
				}
				t.Skipf("%s is not installed", name)
			}
			b, err := builder.New(name, tools[name], env.Vars)
			if err != nil {
				t.Fatal(err)
			}
			testBuilder(t, env, b)
		})
	}
}

func testBuilder(t *testing.T, env *buildtest.Env, b builder.Builder) {
	ctx := context.Background()
	dir := t.TempDir()
	write(t, dir, "Dockerfile", `ARG GREETING=hello
FROM `+buildtest.BaseImage+` AS base
ARG GREETING
RUN echo "$GREETING" > /greeting
FROM base
WORKDIR /srv
USER 0:0
ENV MODE=test
HEALTHCHECK --interval=30s CMD true
ENTRYPOINT ["sh", "-c", "cat /greeting; echo \"args: $*\"; exit ${CODE:-0}", "sh"]
CMD ["default"]
`)
	tag := "localhost/dockmend-buildertest-" + b.Name() + ":1"
	var log strings.Builder
	id, err := b.Build(ctx, builder.BuildRequest{
		Dockerfile: filepath.Join(dir, "Dockerfile"), Context: dir, Tag: tag,
		BuildArgs: []string{"GREETING=bonjour"}, Log: &log,
	})
	if err != nil {
		t.Fatalf("Build: %v", err)
	}
	if !strings.HasPrefix(id, "sha256:") && len(id) < 12 {
		t.Errorf("image id %q", id)
	}
	if !strings.Contains(log.String(), "GREETING") {
		t.Errorf("the build log does not show the build:\n%s", log.String())
	}

	img, err := b.Inspect(ctx, tag)
	if err != nil {
		t.Fatalf("Inspect: %v", err)
	}
	if img.Config.WorkingDir != "/srv" || img.Config.Healthcheck == nil || len(img.DiffIDs) != 2 {
		t.Errorf("Inspect: workdir %q, healthcheck %v, %d layers", img.Config.WorkingDir, img.Config.Healthcheck, len(img.DiffIDs))
	}

	archive := filepath.Join(t.TempDir(), "image.tar")
	if err := b.Save(ctx, tag, archive); err != nil {
		t.Fatalf("Save: %v", err)
	}
	if names := tarNames(t, archive); !names["manifest.json"] {
		t.Errorf("saved archive has no manifest.json: %v", names)
	}

	res, err := b.Run(ctx, builder.RunRequest{Image: tag, Name: "dockmend-buildertest-run"})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if res.ExitCode != 0 || string(res.Output) != "bonjour\nargs: default\n" {
		t.Errorf("Run without args: exit %d, output %q", res.ExitCode, res.Output)
	}
	res, err = b.Run(ctx, builder.RunRequest{Image: tag, Name: "dockmend-buildertest-run", Args: []string{"a", "b"}, MaxOutput: 10})
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if string(res.Output) != "bonjour\nar" || !res.Truncated {
		t.Errorf("Run with args, 10 bytes: output %q, truncated %v", res.Output, res.Truncated)
	}

	if b.Name() == "buildah" {
		// "buildah run" itself (podman runs containers when it is there):
		// ENTRYPOINT and CMD applied, the exit status kept. buildah 1.28
		// loses a chroot run's output now and then: three tries.
		bb, _ := builder.New("buildah", env.Buildah, env.Vars)
		builder.NoRunner(bb)
		var res *builder.RunResult
		for try := 0; try < 3; try++ {
			if res, err = bb.Run(ctx, builder.RunRequest{Image: tag, Name: "dockmend-buildertest-brun", Args: []string{"x"}}); err != nil {
				t.Fatalf("buildah run: %v", err)
			}
			if len(res.Output) > 0 {
				break
			}
		}
		if res.ExitCode != 0 || string(res.Output) != "bonjour\nargs: x\n" {
			t.Errorf("buildah run: exit %d, output %q", res.ExitCode, res.Output)
		}
	}

	// A failing build is an error with the tool's last lines.
	write(t, dir, "Dockerfile.bad", "FROM "+buildtest.BaseImage+"\nRUN echo broken-step >&2; exit 3\n")
	_, err = b.Build(ctx, builder.BuildRequest{Dockerfile: filepath.Join(dir, "Dockerfile.bad"), Context: dir, Tag: tag + "-bad"})
	if err == nil || !strings.Contains(err.Error(), "broken-step") {
		t.Errorf("failing build: %v, want the tool's output", err)
	}

	if err := b.Remove(ctx, tag, tag+"-bad"); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	if _, err := b.Inspect(ctx, tag); err == nil {
		t.Errorf("image %s still exists after Remove", tag)
	}
	if err := b.Remove(ctx, tag); err != nil {
		t.Errorf("Remove of a removed image: %v", err)
	}

	// A build that is stopped (timeout) leaves no working container
	// once Cleanup ran.
	write(t, dir, "Dockerfile.slow", "FROM "+buildtest.BaseImage+"\nRUN echo a > /a\nRUN sleep 120\n")
	tctx, cancel := context.WithTimeout(ctx, 4*time.Second)
	defer cancel()
	start := time.Now()
	_, err = b.Build(tctx, builder.BuildRequest{Dockerfile: filepath.Join(dir, "Dockerfile.slow"), Context: dir, Tag: tag + "-slow"})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("stopped build: %v, want a deadline error", err)
	}
	if d := time.Since(start); d > 60*time.Second {
		t.Errorf("the stopped build took %s", d)
	}
	if err := b.Cleanup(ctx); err != nil {
		t.Errorf("Cleanup: %v", err)
	}
	if out := env.Run(t, env.Buildah, "containers", "--quiet"); strings.TrimSpace(out) != "" {
		t.Errorf("containers left after Cleanup: %s", out)
	}
}

func write(t *testing.T, dir, name, text string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func tarNames(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	names := map[string]bool{}
	tr := tar.NewReader(f)
	for {
		h, err := tr.Next()
		if err != nil {
			break
		}
		names[h.Name] = true
	}
	return names
}
