package base

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	v1 "github.com/google/go-containerregistry/pkg/v1"

	"github.com/dockmend/dockmend/internal/imageref"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/tagver"
)

// variantWords are suffix words that make a variant of the default image
// ("python:slim", "node:alpine"), and what they mean. The table labels
// variants; it never chooses one.
var variantWords = map[string]string{
	"slim":       "reduced Debian",
	"alpine":     "Alpine: musl libc, busybox",
	"distroless": "no shell or package manager",
	"chiseled":   "Ubuntu chiseled: no shell or package manager",
	"minimal":    "minimal",
	"busybox":    "busybox",
	"musl":       "musl libc",
}

// noteFor labels a variant suffix by its words.
func noteFor(suffix string) string {
	var notes []string
	for _, w := range strings.Split(suffix, "-") {
		switch {
		case variantWords[w] != "":
			notes = append(notes, variantWords[w])
		case strings.HasPrefix(w, "alpine"):
			notes = append(notes, "Alpine "+strings.TrimPrefix(w, "alpine")+": musl libc, busybox")
		case strings.HasPrefix(w, "windowsservercore"), strings.HasPrefix(w, "nanoserver"):
			notes = append(notes, "Windows")
		}
	}
	return strings.Join(notes, "; ")
}

// isWindows reports whether a suffix names a Windows variant.
func isWindows(suffix string) bool {
	return strings.Contains(suffix, "windowsservercore") || strings.Contains(suffix, "nanoserver") || strings.Contains(suffix, "ltsc")
}

// variantCandidates returns the tags of the same version as tag with
// another suffix, simplest suffix first.
func variantCandidates(tag string, tags []string, windows bool) []string {
	t := tagver.Parse(tag)
	var out []tagver.Tag
	for _, s := range tags {
		p := tagver.Parse(s)
		if s == tag || p.Prerelease() || isWindows(p.Suffix) != windows {
			continue
		}
		switch {
		case t.Head == "latest" && t.Suffix == "":
			// The default image's variants are the bare words.
			if _, ok := variantWords[p.Head]; !ok || p.Suffix != "" {
				continue
			}
		case p.Head != t.Head || p.Suffix == t.Suffix:
			continue
		}
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b tagver.Tag) int {
		return cmp.Or(
			cmp.Compare(strings.Count(a.Suffix, "-"), strings.Count(b.Suffix, "-")),
			cmp.Compare(len(a.Suffix), len(b.Suffix)),
			cmp.Compare(a.Text, b.Text))
	})
	var names []string
	for _, p := range out {
		names = append(names, p.Text)
	}
	return names
}

// variants sizes the variants of b's version, within the request cap.
func (in *inspector) variants(ctx context.Context, ref imageref.Ref, b *Base) {
	if b.Size == 0 {
		return
	}
	reg := in.opts.Registry
	name := ref.Repository()
	list, err := reg.Tags(ctx, name, resolve.TagLimits{})
	if err != nil {
		b.VariantsNote = "cannot list tags: " + trimRef(err).Error()
		return
	}
	cands := variantCandidates(ref.TagOrDefault(), list.Tags, strings.HasPrefix(b.Platform, "windows/"))
	budget := in.opts.VariantRequests
	seen := map[string]bool{b.Manifest: true}
	looked := 0
	for _, tag := range cands {
		if budget <= 0 {
			break
		}
		looked++
		budget--
		m, err := reg.Manifest(ctx, name, tag)
		if err != nil {
			continue
		}
		raw, digest := m.Raw, m.Digest
		if m.Kind == resolve.KindIndex {
			idx, err := v1.ParseIndexManifest(bytes.NewReader(m.Raw))
			if err != nil {
				continue
			}
			child, _, err := pickChild(idx, b.Platform)
			if err != nil || seen[child.Digest.String()] {
				continue // not for this platform, or the same image under another tag
			}
			if budget <= 0 {
				break
			}
			budget--
			cm, err := reg.Manifest(ctx, name, child.Digest.String())
			if err != nil {
				continue
			}
			raw, digest = cm.Raw, cm.Digest
		}
		if seen[digest] {
			continue
		}
		seen[digest] = true
		mf, err := v1.ParseManifest(bytes.NewReader(raw))
		if err != nil {
			continue
		}
		var size int64
		for _, l := range mf.Layers {
			size += l.Size
		}
		b.Variants = append(b.Variants, Variant{Tag: tag, Size: size, Saving: 1 - float64(size)/float64(b.Size), Manifest: digest, Note: noteFor(tagver.Parse(tag).Suffix)})
	}
	if looked < len(cands) {
		b.VariantsNote = fmt.Sprintf("looked at %d of %d variant tags (at most %d requests per base)", looked, len(cands), in.opts.VariantRequests)
	}
	if list.Truncated != "" {
		b.VariantsNote = strings.TrimPrefix(b.VariantsNote+"; tag list "+list.Truncated, "; ")
	}
	slices.SortStableFunc(b.Variants, func(x, y Variant) int { return cmp.Compare(x.Size, y.Size) })
}
