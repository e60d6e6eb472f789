package testregistry

import (
	"bufio"
	"fmt"
	"io"
	"strconv"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// Kind is the shape of a seeded tag.
type Kind string

const (
	// KindIndex is an OCI image index of Docker v2 images, one per platform.
	KindIndex Kind = "index"
	// KindList is a Docker manifest list of Docker v2 images.
	KindList Kind = "list"
	// KindImage is a single Docker v2 image manifest.
	KindImage Kind = "image"
	// KindOCIImage is a single OCI image manifest.
	KindOCIImage Kind = "oci-image"
)

// IsIndex reports whether k has child manifests.
func (k Kind) IsIndex() bool { return k == KindIndex || k == KindList }

// Image describes one tag to push.
type Image struct {
	// Repo is the repository path, such as "library/python".
	Repo string
	// Tag is the tag to push, such as "3.12".
	Tag string
	// Kind is the shape of the tag; the zero value means KindImage.
	Kind Kind
	// Platforms lists "os/arch[/variant]" platforms: one child each for an
	// index or list, and at most one for a single image (its config's
	// platform; none leaves the config without a platform).
	Platforms []string
	// Generation varies the content: the same Repo, Tag, Kind, Platforms
	// and Generation always give the same digests, and another Generation
	// gives new ones. Pushing a higher generation moves the tag.
	Generation int
}

// String formats img in the spec line syntax ParseImage reads.
func (img Image) String() string {
	var b strings.Builder
	b.WriteString(img.Repo + ":" + img.Tag + " " + string(img.kind()))
	for _, p := range img.Platforms {
		b.WriteString(" " + p)
	}
	if img.Generation != 0 {
		b.WriteString(" gen=" + strconv.Itoa(img.Generation))
	}
	return b.String()
}

func (img Image) kind() Kind {
	if img.Kind == "" {
		return KindImage
	}
	return img.Kind
}

// ParseImage parses one spec line:
//
//	<repo>:<tag> [index|list|image|oci-image] [<os/arch[/variant]>...] [gen=<n>]
//
// for example "library/python:3.12 index linux/amd64 linux/arm64/v8" or
// "team/app:1.0 image linux/amd64 gen=2". The kind defaults to image; an
// index or list without platforms gets linux/amd64 and linux/arm64/v8.
func ParseImage(line string) (Image, error) {
	fields := strings.Fields(line)
	if len(fields) == 0 {
		return Image{}, fmt.Errorf("empty image spec")
	}
	var img Image
	i := strings.LastIndex(fields[0], ":")
	if i <= 0 || i == len(fields[0])-1 || strings.Contains(fields[0][i:], "/") {
		return Image{}, fmt.Errorf("image spec %q: want <repo>:<tag>", fields[0])
	}
	img.Repo, img.Tag = fields[0][:i], fields[0][i+1:]
	for _, f := range fields[1:] {
		switch {
		case f == string(KindIndex) || f == string(KindList) || f == string(KindImage) || f == string(KindOCIImage):
			if img.Kind != "" {
				return Image{}, fmt.Errorf("image spec %q: two kinds", line)
			}
			img.Kind = Kind(f)
		case strings.HasPrefix(f, "gen="):
			n, err := strconv.Atoi(strings.TrimPrefix(f, "gen="))
			if err != nil || n < 0 {
				return Image{}, fmt.Errorf("image spec %q: bad generation %q", line, f)
			}
			img.Generation = n
		case strings.Contains(f, "/"):
			if _, err := v1.ParsePlatform(f); err != nil {
				return Image{}, fmt.Errorf("image spec %q: %w", line, err)
			}
			img.Platforms = append(img.Platforms, f)
		default:
			return Image{}, fmt.Errorf("image spec %q: unknown field %q", line, f)
		}
	}
	img.Kind = img.kind()
	if img.Kind.IsIndex() && len(img.Platforms) == 0 {
		img.Platforms = []string{"linux/amd64", "linux/arm64/v8"}
	}
	if !img.Kind.IsIndex() && len(img.Platforms) > 1 {
		return Image{}, fmt.Errorf("image spec %q: a single image has at most one platform", line)
	}
	return img, nil
}

// ParseSpec reads spec lines (see ParseImage). Blank lines and lines
// starting with '#' are ignored.
func ParseSpec(r io.Reader) ([]Image, error) {
	var out []Image
	sc := bufio.NewScanner(r)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		img, err := ParseImage(line)
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		out = append(out, img)
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	return out, nil
}
