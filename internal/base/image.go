package base

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockmend/dockmend/internal/distroinfo"
	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/pkgdb"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/tagver"
	"github.com/dockmend/dockmend/internal/vulndb"
)

// OCI annotation keys read from indexes and image configs.
const (
	annCreated  = "org.opencontainers.image.created"
	annBaseName = "org.opencontainers.image.base.name"
	annVersion  = "org.opencontainers.image.version"
	annRefName  = "org.opencontainers.image.ref.name"
)

// inspector inspects bases with one set of options.
type inspector struct {
	opts *Options
	now  time.Time
}

// image is one platform image as its manifests and config describe it.
type image struct {
	digest, manifest string // the reference's digest; the platform manifest's
	platforms        []string
	layers           []v1.Descriptor
	size             int64
	created          time.Time
	labels           map[string]string
	annotations      map[string]string // the child descriptor's, then the index's
}

// inspect fills in b. Failures go to b.Error; ctx's end is left to the
// caller.
func (in *inspector) inspect(ctx context.Context, b *Base) {
	ref, err := imageref.Parse(b.Reference)
	if err != nil {
		b.Error = err.Error()
		return
	}
	id := ref.TagOrDefault()
	if ref.Digest != "" {
		id = ref.Digest
	}
	img, err := in.image(ctx, ref, id, b.Platform)
	if err != nil {
		b.Error = err.Error()
		return
	}
	b.Digest, b.Manifest, b.Platforms = img.digest, img.manifest, img.platforms
	b.Size, b.Layers = img.size, len(img.layers)
	if !img.created.IsZero() && img.created.Year() > 1970 {
		b.Created = img.created.UTC()
		b.AgeDays = int(in.now.Sub(img.created).Hours() / 24)
	}
	if in.opts.Packages {
		in.packages(ctx, ref, img, b)
	}
	if b.OS == nil {
		b.OS = in.osHint(ref, img)
	}
	if b.OS != nil {
		if rel, ok := in.opts.Distros.Lookup(b.OS.ID, b.OS.VersionID, b.OS.Codename); ok {
			b.OS.Name = rel.Name()
			b.Support = &Support{Release: rel, Status: rel.Status(in.now, in.opts.EOLWarning)}
		}
	}
	if ref.Digest != "" && ref.Tag != "" {
		in.stale(ctx, ref, b, img)
	}
	if in.opts.Variants {
		in.variants(ctx, ref, b)
	}
	if in.opts.Vulns {
		in.vulns(b)
	}
}

// image reads the manifests and config of reference ref at id (tag or
// digest) for platform.
func (in *inspector) image(ctx context.Context, ref imageref.Ref, id, platform string) (*image, error) {
	reg := in.opts.Registry
	name := ref.Repository()
	m, err := reg.Manifest(ctx, name, id)
	if err != nil {
		return nil, trimRef(err)
	}
	img := &image{digest: m.Digest, manifest: m.Digest, annotations: map[string]string{}}
	raw := m.Raw
	if m.Kind == resolve.KindIndex {
		idx, err := v1.ParseIndexManifest(bytes.NewReader(m.Raw))
		if err != nil {
			return nil, fmt.Errorf("parsing index %s: %w", m.Digest, err)
		}
		child, platforms, err := pickChild(idx, platform)
		img.platforms = platforms
		if err != nil {
			return nil, fmt.Errorf("index %s: %w", shortDigest(m.Digest), err)
		}
		for k, v := range idx.Annotations {
			img.annotations[k] = v
		}
		for k, v := range child.Annotations {
			img.annotations[k] = v
		}
		cm, err := reg.Manifest(ctx, name, child.Digest.String())
		if err != nil {
			return nil, trimRef(err)
		}
		img.manifest, raw = cm.Digest, cm.Raw
	}
	mf, err := v1.ParseManifest(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("parsing manifest %s: %w", img.manifest, err)
	}
	for k, v := range mf.Annotations {
		if _, ok := img.annotations[k]; !ok {
			img.annotations[k] = v
		}
	}
	img.layers = mf.Layers
	for _, l := range mf.Layers {
		img.size += l.Size
	}
	cf, err := in.config(ctx, name, mf.Config.Digest.String())
	if err != nil {
		return nil, err
	}
	if m.Kind != resolve.KindIndex && cf.OS != "" {
		// A single manifest is what every platform gets: say so if it is
		// not the one asked for.
		got := cf.OS + "/" + cf.Architecture
		if cf.Variant != "" {
			got += "/" + cf.Variant
		}
		if p, _ := resolve.ParsePlatform(got); p != "" && p != platform {
			return nil, fmt.Errorf("the image is a single %s manifest, not %s", p, platform)
		}
	}
	img.labels = cf.Config.Labels
	img.created = cf.Created.Time
	if s := img.annotations[annCreated]; s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			img.created = t
		}
	}
	return img, nil
}

// trimRef drops the resolver's "resolving REF: " prefix.
func trimRef(err error) error {
	var re *resolve.Error
	if errors.As(err, &re) {
		return errors.New(strings.TrimPrefix(err.Error(), "resolving "+re.Ref+": "))
	}
	return err
}

// pickChild chooses the index child for platform, leaving out
// attestation manifests (platform unknown/unknown), and returns the
// platforms the index offers.
func pickChild(idx *v1.IndexManifest, platform string) (v1.Descriptor, []string, error) {
	var platforms []string
	var match []v1.Descriptor
	for _, d := range idx.Manifests {
		if d.Platform == nil || d.Platform.OS == "unknown" || d.Annotations["vnd.docker.reference.type"] == "attestation-manifest" {
			continue
		}
		s := d.Platform.OS + "/" + d.Platform.Architecture
		if d.Platform.Variant != "" {
			s += "/" + d.Platform.Variant
		}
		p, err := resolve.ParsePlatform(s)
		if err != nil {
			continue
		}
		if !slices.Contains(platforms, p) {
			platforms = append(platforms, p)
		}
		if p == platform && !slices.ContainsFunc(match, func(x v1.Descriptor) bool { return x.Digest == d.Digest }) {
			match = append(match, d)
		}
	}
	switch len(match) {
	case 1:
		return match[0], platforms, nil
	case 0:
		return v1.Descriptor{}, platforms, fmt.Errorf("no manifest for %s (it has %s)", platform, strings.Join(platforms, ", "))
	}
	return v1.Descriptor{}, platforms, fmt.Errorf("%d different manifests for %s", len(match), platform)
}

// config reads an image config blob (at most 8 MiB).
func (in *inspector) config(ctx context.Context, name, digest string) (*v1.ConfigFile, error) {
	rc, err := in.opts.Registry.Blob(ctx, name, digest)
	if err != nil {
		return nil, trimRef(err)
	}
	defer rc.Close()
	data, err := io.ReadAll(io.LimitReader(rc, 8<<20+1))
	if err != nil {
		return nil, fmt.Errorf("reading image config %s: %w", shortDigest(digest), err)
	}
	if len(data) > 8<<20 {
		return nil, fmt.Errorf("image config %s is larger than 8 MiB", shortDigest(digest))
	}
	var cf v1.ConfigFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, fmt.Errorf("image config %s: %w", shortDigest(digest), err)
	}
	return &cf, nil
}

// packages reads the package database and os-release from the layers.
func (in *inspector) packages(ctx context.Context, ref imageref.Ref, img *image, b *Base) {
	name := ref.Repository()
	var layers []pkgdb.Layer
	for _, l := range img.layers {
		digest := l.Digest.String()
		layers = append(layers, pkgdb.Layer{Digest: digest, MediaType: string(l.MediaType), Size: l.Size,
			Open: func(ctx context.Context) (io.ReadCloser, error) { return in.opts.Registry.Blob(ctx, name, digest) }})
	}
	res, err := pkgdb.Scan(ctx, layers, pkgdb.Options{MaxBytes: in.opts.MaxLayerBytes})
	p := &Packages{Kind: res.Kind, Count: len(res.Packages), Paths: res.Paths, LayersRead: res.LayersRead, BytesRead: res.BytesRead, Note: res.Incomplete}
	switch {
	case err != nil:
		p.Note = err.Error()
	case res.Kind == "" && p.Note == "":
		p.Note = "no package database (var/lib/dpkg/status, var/lib/dpkg/status.d/, lib/apk/db/installed) in the image"
	}
	b.Packages = p
	if res.OS != nil && res.OS.ID != "" {
		b.OS = &OS{ID: res.OS.ID, VersionID: res.OS.VersionID, Codename: res.OS.VersionCodename, Name: res.OS.PrettyName, Source: "os-release"}
	}
	b.pkgs = res.Packages
}

// osHint guesses the release without reading layers: from the image's
// labels, from the base.name annotation, or from the tag.
func (in *inspector) osHint(ref imageref.Ref, img *image) *OS {
	d := in.opts.Distros
	if img.labels[annRefName] == "ubuntu" && img.labels[annVersion] != "" {
		if rel, ok := d.Lookup("ubuntu", img.labels[annVersion], ""); ok {
			return osOf(rel, "label")
		}
	}
	if bn := img.annotations[annBaseName]; bn != "" {
		if r, err := imageref.Parse(bn); err == nil {
			if rel, ok := releaseFromRef(d, r); ok {
				return osOf(rel, "annotation")
			}
		}
	}
	if rel, ok := releaseFromRef(d, ref); ok {
		return osOf(rel, "tag")
	}
	return nil
}

func osOf(rel distroinfo.Release, source string) *OS {
	return &OS{ID: rel.Distro, VersionID: rel.Version, Codename: rel.Codename, Name: rel.Name(), Source: source}
}

// releaseFromRef reads a release from a reference: the distributions'
// own repositories ("debian:12", "ubuntu:jammy", "alpine:3.19"), or a
// codename or alpineX.Y among the tag's words ("python:3.12-slim-bookworm",
// "golang:1.22-alpine3.20").
func releaseFromRef(d *distroinfo.Data, r imageref.Ref) (distroinfo.Release, bool) {
	tag := r.TagOrDefault()
	t := tagver.Parse(tag)
	switch r.Path {
	case "library/debian", "library/ubuntu", "library/alpine":
		distro := strings.TrimPrefix(r.Path, "library/")
		if t.IsVersion() {
			return d.Lookup(distro, strings.TrimPrefix(t.Head, "v"), "")
		}
		if rel, ok := d.Lookup(distro, "", t.Head); ok {
			return rel, true
		}
	}
	for _, w := range strings.Split(tag, "-") {
		if v, ok := strings.CutPrefix(w, "alpine"); ok && v != "" {
			if rel, ok := d.Lookup("alpine", v, ""); ok {
				return rel, true
			}
		}
		if rel, ok := d.ByCodename(w); ok && rel.Distro != distroinfo.Alpine {
			return rel, true
		}
	}
	return distroinfo.Release{}, false
}

// stale compares a pinned digest with the tag's current one.
func (in *inspector) stale(ctx context.Context, ref imageref.Ref, b *Base, img *image) {
	res := in.opts.Registry.Resolve(ctx, resolve.Request{Ref: ref.Text, Refresh: true})
	if res.Err != nil || !res.Changed() {
		return
	}
	s := &Stale{Pinned: ref.Digest, PinnedCreated: b.Created, Current: res.Digest}
	if cur, err := in.image(ctx, ref, res.Digest, b.Platform); err == nil && cur.created.Year() > 1970 {
		s.CurrentCreated = cur.created.UTC()
	}
	b.Stale = s
}

// vulns matches the packages read against the database.
func (in *inspector) vulns(b *Base) {
	v := &Vulns{Counts: map[string]int{}}
	b.Vulns = v
	switch {
	case in.opts.VulnDB == nil:
		v.Note = "no vulnerability database"
		return
	case b.Packages == nil || b.Packages.Kind == "":
		v.Note = "no installed packages were read"
		if b.Packages != nil && b.Packages.Note != "" {
			v.Note += ": " + b.Packages.Note
		}
		return
	case b.OS == nil:
		v.Note = "the operating system release is unknown"
		return
	}
	res, err := in.opts.VulnDB.Match(b.OS.ID, b.OS.VersionID, b.Packages.Kind, b.pkgs)
	if err != nil {
		v.Note = err.Error()
		return
	}
	v.Ecosystem, v.Total, v.Counts, v.Fixable = res.Ecosystem, len(res.Findings), res.Counts, res.Fixable
	v.Top = res.Findings[:min(len(res.Findings), in.opts.TopVulns)]
	if v.Top == nil {
		v.Top = []vulndb.Finding{}
	}
}
