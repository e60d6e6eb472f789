package discover

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestIsDockerfileName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"Dockerfile", true},
		{"dockerfile", true},
		{"DOCKERFILE", true},
		{"Containerfile", true},
		{"containerfile", true},
		{"Dockerfile.dev", true},
		{"Dockerfile.alpine.3.20", true},
		{"dockerfile.prod", true},
		{"Dockerfile.template", true},
		{"Dockerfile-ci", true},
		{"Dockerfile_test", true},
		{"DOCKERFILE-CI", true},
		{"api.Dockerfile", true},
		{"web.dockerfile", true},
		{"base.DOCKERFILE", true},
		{"Containerfile.fedora", true},
		{"Containerfile-x", true},
		{"Containerfile_x", true},
		{"x.Containerfile", true},
		{"x.containerfile", true},
		{"1.dockerfile", true},

		{"", false},
		{"Dockerfiles", false},
		{"Dockerfile.", false},
		{"Dockerfile-", false},
		{"Dockerfile_", false},
		{".dockerfile", false},
		{"mydockerfile", false},
		{"Dockerfilex", false},
		{"Makefile", false},
		{"docker-compose.yml", false},
		{".dockerignore", false},
		{"Dockerfile.dockerignore", false},
		{"api.Dockerfile.dockerignore", false},
		{"Dockerfile.md", false},
		{"Dockerfile.MD", false},
		{"Dockerfile.go", false},
		{"dockerfile.sh", false},
		{"Dockerfile.json", false},
		{"Dockerfile.yml", false},
		{"Dockerfile.yaml", false},
		{"Dockerfile.txt", false},
		{"Dockerfile.orig", false},
		{"Dockerfile.rej", false},
		{"Dockerfile.bak", false},
		{"Dockerfile.swp", false},
		{"Dockerfile.swo", false},
		{"Dockerfile.patch", false},
		{"Dockerfile.diff", false},
		{"Dockerfile~", false},
		{"api.Dockerfile~", false},
		{"api.dockerfile.orig", false},
		{"Dockerfile-ci.yml", false},
		{"Dockerfile_test.go", false},
		{"Containerfile.bak", false},
	}
	for _, tt := range tests {
		if got := IsDockerfileName(tt.name); got != tt.want {
			t.Errorf("IsDockerfileName(%q) = %v, want %v", tt.name, got, tt.want)
		}
	}
}

// makeTree creates files (paths ending in "/" are directories; "name ->
// target" is a symbolic link) under a new temporary directory.
func makeTree(t *testing.T, entries ...string) string {
	t.Helper()
	root := t.TempDir()
	for _, e := range entries {
		name, target, isLink := strings.Cut(e, " -> ")
		path := filepath.Join(root, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		var err error
		switch {
		case isLink:
			err = os.Symlink(filepath.FromSlash(target), path)
		case strings.HasSuffix(name, "/"):
			err = os.MkdirAll(path, 0o755)
		default:
			err = os.WriteFile(path, []byte("FROM scratch\n"), 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	return root
}

// rel makes paths relative to root, with forward slashes.
func rel(t *testing.T, root string, paths []string) []string {
	t.Helper()
	var out []string
	for _, p := range paths {
		r, err := filepath.Rel(root, p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, filepath.ToSlash(r))
	}
	return out
}

func TestFilesWalk(t *testing.T) {
	root := makeTree(t,
		"Dockerfile",
		"Containerfile",
		"README.md",
		"Makefile",
		"Dockerfile.md",
		"Dockerfile.dev",
		"dockerfile.prod",
		"DOCKERFILE-ci",
		"Dockerfile_test",
		"api.Dockerfile",
		"web.dockerfile",
		"x.Containerfile",
		"Containerfile.fedora",
		"Dockerfile.orig",
		"Dockerfile.rej",
		"Dockerfile.bak",
		"Dockerfile~",
		".Dockerfile.swp",
		"Dockerfile.dockerignore",
		"Dockerfile.yml",
		"docker-compose.yaml",
		"Dockerfiles",
		"sub/Dockerfile",
		"sub/deeper/Dockerfile.alpine",
		"sub/deeper/notes.txt",
		".github/workflows/Dockerfile",
		".git/Dockerfile",
		".hg/Dockerfile",
		".svn/Dockerfile",
		".bzr/Dockerfile",
		"node_modules/pkg/Dockerfile",
		"vendor/x/Dockerfile",
		"deep/node_modules/Dockerfile",
		"Dockerfile.dir/Dockerfile",
		"empty/",
		"link.Dockerfile -> sub/Dockerfile",
		"link.md -> sub/Dockerfile",
		"linkdir -> sub",
		"Dockerfile.linkdir -> sub",
	)
	files, errs := Files(context.Background(), []string{root})
	if len(errs) != 0 {
		t.Fatalf("errors: %v", errs)
	}
	want := []string{
		".github/workflows/Dockerfile",
		"Containerfile",
		"Containerfile.fedora",
		"DOCKERFILE-ci",
		"Dockerfile",
		"Dockerfile.dev",
		"Dockerfile.dir/Dockerfile",
		"Dockerfile_test",
		"api.Dockerfile",
		"dockerfile.prod",
		"link.Dockerfile",
		"sub/Dockerfile",
		"sub/deeper/Dockerfile.alpine",
		"web.dockerfile",
		"x.Containerfile",
	}
	if got := rel(t, root, files); !slices.Equal(got, want) {
		t.Errorf("Files:\ngot  %q\nwant %q", got, want)
	}

	// The same call gives the same answer.
	again, _ := Files(context.Background(), []string{root})
	if !slices.Equal(again, files) {
		t.Errorf("second call gave %q, first %q", again, files)
	}
}

func TestFilesRoots(t *testing.T) {
	root := makeTree(t,
		"proj/Dockerfile",
		"proj/app/Dockerfile",
		"proj/vendor/lib/Dockerfile",
		"custom-name",
		"notes.md",
		"link-to-custom -> custom-name",
		"link-to-proj -> proj",
		"special.Dockerfile -> /dev/null",
		"dangling.Dockerfile -> nowhere",
	)
	missing := filepath.Join(root, "missing")
	tests := []struct {
		name     string
		roots    []string
		want     []string
		wantErrs []string // each must be named by one error, in order
	}{
		{
			name:  "named file taken whatever its name",
			roots: []string{"custom-name", "notes.md"},
			want:  []string{"custom-name", "notes.md"},
		},
		{
			name:  "named link to a file taken",
			roots: []string{"link-to-custom"},
			want:  []string{"link-to-custom"},
		},
		{
			name:  "named link to a directory walked",
			roots: []string{"link-to-proj"},
			want:  []string{"link-to-proj/Dockerfile", "link-to-proj/app/Dockerfile"},
		},
		{
			name:  "named vendor directory walked",
			roots: []string{"proj/vendor"},
			want:  []string{"proj/vendor/lib/Dockerfile"},
		},
		{
			name:  "roots kept in order, duplicates once",
			roots: []string{"proj/app", "proj", "proj/app/Dockerfile", "proj/./app/../Dockerfile"},
			want:  []string{"proj/app/Dockerfile", "proj/Dockerfile"},
		},
		{
			name:     "missing root reported, others processed",
			roots:    []string{"proj/app", missing, "custom-name"},
			want:     []string{"proj/app/Dockerfile", "custom-name"},
			wantErrs: []string{missing},
		},
		{
			name:     "named device refused",
			roots:    []string{"special.Dockerfile"},
			wantErrs: []string{"special.Dockerfile: not a regular file"},
		},
		{
			name:     "named dangling link reported",
			roots:    []string{"dangling.Dockerfile"},
			wantErrs: []string{"dangling.Dockerfile"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var roots []string
			for _, r := range tt.roots {
				if !filepath.IsAbs(r) {
					r = filepath.Join(root, r)
				}
				roots = append(roots, r)
			}
			files, errs := Files(context.Background(), roots)
			if got := rel(t, root, files); !slices.Equal(got, tt.want) {
				t.Errorf("files:\ngot  %q\nwant %q", got, tt.want)
			}
			if len(errs) != len(tt.wantErrs) {
				t.Fatalf("errors: got %v, want ones naming %q", errs, tt.wantErrs)
			}
			for i, err := range errs {
				if !strings.Contains(err.Error(), tt.wantErrs[i]) {
					t.Errorf("error %d = %q, want it to contain %q", i, err, tt.wantErrs[i])
				}
			}
		})
	}
}

func TestFilesMissingRootIsNotExist(t *testing.T) {
	_, errs := Files(context.Background(), []string{filepath.Join(t.TempDir(), "nope")})
	if len(errs) != 1 || !errors.Is(errs[0], fs.ErrNotExist) {
		t.Errorf("errors = %v, want one fs.ErrNotExist", errs)
	}
}

func TestFilesWalkErrors(t *testing.T) {
	root := makeTree(t,
		"a/Dockerfile",
		"a/dangling.Dockerfile -> nowhere",
		"a/loop.Dockerfile -> loop.Dockerfile",
		"a/dangling.md -> nowhere",
		"b/Dockerfile",
	)
	files, errs := Files(context.Background(), []string{root})
	if got, want := rel(t, root, files), []string{"a/Dockerfile", "b/Dockerfile"}; !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	if len(errs) != 2 ||
		!strings.Contains(errs[0].Error(), filepath.Join(root, "a", "dangling.Dockerfile")) ||
		!strings.Contains(errs[1].Error(), filepath.Join(root, "a", "loop.Dockerfile")) {
		t.Errorf("errors = %v, want the dangling and the looping link named", errs)
	}
}

func TestFilesCanceled(t *testing.T) {
	root := makeTree(t, "a/Dockerfile", "b/Dockerfile")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	files, errs := Files(ctx, []string{root, root})
	if len(files) != 0 {
		t.Errorf("files = %q after cancel, want none", files)
	}
	if len(errs) != 1 || !errors.Is(errs[0], context.Canceled) {
		t.Errorf("errors = %v, want one context.Canceled", errs)
	}
}

func TestFilesNoRoots(t *testing.T) {
	files, errs := Files(context.Background(), nil)
	if len(files) != 0 || len(errs) != 0 {
		t.Errorf("Files(nil) = %q, %v; want nothing", files, errs)
	}
}
