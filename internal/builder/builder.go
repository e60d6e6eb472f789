// Package builder builds, saves, inspects, runs and removes container
// images with the container tool the user has: Docker (BuildKit, through
// "docker buildx build" or "docker build"), Podman or Buildah. dockmend
// verify uses it to build a Dockerfile before and after its fixes.
//
// The real command-line tools are used on purpose: the build is the one
// the user's own tool makes, with its configuration, credentials, cache
// and registries. Every command runs in its own process group, so that a
// cancelled context (a timeout, or Ctrl-C) stops the whole build, and
// every error names the command and ends with the tool's last lines of
// output.
package builder

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Builder is one container tool.
type Builder interface {
	// Name is the tool's name: "docker", "podman" or "buildah".
	Name() string
	// Build builds an image and tags it req.Tag. It returns the image id.
	Build(ctx context.Context, req BuildRequest) (string, error)
	// Save writes the image ref to path as a docker-archive tar file
	// (what "docker save" writes).
	Save(ctx context.Context, ref, path string) error
	// Inspect returns the configuration and layers of a local image.
	Inspect(ctx context.Context, ref string) (*Image, error)
	// Run starts a container of the image and waits for it.
	Run(ctx context.Context, req RunRequest) (*RunResult, error)
	// Remove removes the tags or images refs; a ref that does not exist
	// is not an error.
	Remove(ctx context.Context, refs ...string) error
	// Cleanup removes what interrupted commands of this builder left
	// behind (Buildah and Podman keep the working containers of a build
	// that was stopped).
	Cleanup(ctx context.Context) error
}

// BuildRequest is one image build.
type BuildRequest struct {
	// Dockerfile is the file to build; Context the build context.
	Dockerfile, Context string
	// Tag names the built image.
	Tag string
	// Target builds this stage instead of the last one.
	Target string
	// Platform builds for os/arch[/variant] instead of the host's.
	Platform string
	// BuildArgs are --build-arg NAME=VALUE, in order.
	BuildArgs []string
	// Log receives the tool's output; nil discards it.
	Log io.Writer
}

// RunRequest is one container run.
type RunRequest struct {
	// Image is the image to run.
	Image string
	// Name names the container, so that it can be removed if the run is
	// interrupted.
	Name string
	// Args replace the image's CMD (ENTRYPOINT stays), as in
	// "docker run IMAGE ARGS"; nil runs the image's own command.
	Args []string
	// Platform is the image's platform, when not the host's.
	Platform string
	// MaxOutput bounds the output kept; 0 means 1 MiB.
	MaxOutput int
	// Config, if the caller has it, is the image's configuration: buildah
	// applies its ENTRYPOINT and CMD without inspecting the image.
	Config *v1.Config
}

// RunResult is a finished container run.
type RunResult struct {
	// ExitCode is the container's exit status.
	ExitCode int
	// Output is its standard output and standard error, interleaved, at
	// most RunRequest.MaxOutput bytes; Truncated reports that more was
	// written.
	Output    []byte
	Truncated bool
}

// Image is what Inspect tells about a local image.
type Image struct {
	// ID is the image id.
	ID string
	// DiffIDs are the digests of its uncompressed layers, bottom first.
	DiffIDs []string
	// Config is the image's run configuration.
	Config v1.Config
}

// Names are the builders Find knows, in the order it tries them.
var Names = []string{"docker", "podman", "buildah"}

// FindOptions configure Find.
type FindOptions struct {
	// Name is "docker", "podman", "buildah", or the path of one of these
	// tools; empty tries each of Names in turn.
	Name string
	// LookPath finds an executable; nil means exec.LookPath.
	LookPath func(string) (string, error)
	// Env is added to the environment of every command (KEY=value).
	Env []string
}

// ErrNotFound is wrapped by Find's error when no builder is usable.
var ErrNotFound = errors.New("no container builder found")

// Find returns the builder named by opts.Name, or the first usable one of
// Names: a docker whose daemon answers, podman, buildah. The error names
// what was looked for and why each candidate was passed over.
func Find(ctx context.Context, opts FindOptions) (Builder, error) {
	look := opts.LookPath
	if look == nil {
		look = exec.LookPath
	}
	if opts.Name != "" {
		kind := filepath.Base(opts.Name)
		if !known(kind) {
			return nil, fmt.Errorf("--builder %q: not one of %s (or a path to one of them)", opts.Name, strings.Join(Names, ", "))
		}
		path, err := look(opts.Name)
		if err != nil {
			return nil, fmt.Errorf("%w: --builder %s: %v", ErrNotFound, opts.Name, err)
		}
		return newTool(ctx, kind, path, opts.Env), nil
	}
	var why []string
	for _, name := range Names {
		path, err := look(name)
		if err != nil {
			why = append(why, name+" (not on PATH)")
			continue
		}
		t := newTool(ctx, name, path, opts.Env)
		if name == "docker" {
			if err := t.ping(ctx); err != nil {
				why = append(why, fmt.Sprintf("docker (%s: %v)", path, err))
				continue
			}
		}
		return t, nil
	}
	return nil, fmt.Errorf("%w: looked for %s; install one, or name one with --builder", ErrNotFound, strings.Join(why, ", "))
}

func known(name string) bool {
	for _, n := range Names {
		if n == name {
			return true
		}
	}
	return false
}

// dockerInspect is the part of "docker/podman image inspect" output that
// Inspect reads.
type dockerInspect struct {
	ID     string    `json:"Id"`
	Config v1.Config `json:"Config"`
	// podman puts the health check beside the OCI configuration.
	HealthCheck *v1.HealthConfig `json:"HealthCheck"`
	RootFS      struct {
		Layers []string `json:"Layers"`
	} `json:"RootFS"`
}

// buildahInspect is the part of "buildah inspect --type image" output
// that Inspect reads: the Docker form of the image, else the OCI one.
type buildahInspect struct {
	FromImageID string `json:"FromImageID"`
	Docker      struct {
		Config v1.Config `json:"config"`
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	} `json:"Docker"`
	OCIv1 struct {
		Config v1.Config `json:"config"`
		RootFS struct {
			DiffIDs []string `json:"diff_ids"`
		} `json:"rootfs"`
	} `json:"OCIv1"`
}

func parseInspect(kind string, data []byte) (*Image, error) {
	if kind == "buildah" {
		var b buildahInspect
		if err := json.Unmarshal(data, &b); err != nil {
			return nil, err
		}
		img := &Image{ID: b.FromImageID, Config: b.Docker.Config, DiffIDs: b.Docker.RootFS.DiffIDs}
		if len(img.DiffIDs) == 0 {
			img.Config, img.DiffIDs = b.OCIv1.Config, b.OCIv1.RootFS.DiffIDs
		}
		return img, nil
	}
	var list []dockerInspect
	if err := json.Unmarshal(data, &list); err != nil {
		return nil, err
	}
	if len(list) != 1 {
		return nil, fmt.Errorf("%d images in the output, want 1", len(list))
	}
	d := list[0]
	img := &Image{ID: d.ID, Config: d.Config, DiffIDs: d.RootFS.Layers}
	if img.Config.Healthcheck == nil {
		img.Config.Healthcheck = d.HealthCheck
	}
	return img, nil
}
