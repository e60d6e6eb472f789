// Package base judges the base images of Dockerfiles. For every distinct
// base reference (each stage's FROM, COPY --from=IMAGE, RUN
// --mount=from=IMAGE) it finds, once per run, the image a build would
// pull for the stage's platform and reports its compressed size, age,
// operating system release and that release's end of life, whether a
// pinned digest is stale, which variants of the same version are smaller,
// and, on request, the known vulnerabilities of its installed packages.
// It is the library behind "dockmend base".
//
// Findings carry rule names, so that reports and --failure-threshold can
// treat them like check's:
//
//	base-eol                 the release is past (or near) the end of its security support
//	base-stale               a pinned digest is no longer what its tag points to
//	base-vulnerable          installed packages have known vulnerabilities
//	base-larger-than-variant a variant of the same version is much smaller (advice only)
//
// Registries are asked through internal/resolve (mirrors, credentials,
// limits, retries, the per-run cache); layers are read through
// internal/pkgdb (streamed, bounded), vulnerabilities matched by
// internal/vulndb, release dates come from internal/distroinfo.
package base

import (
	"context"
	"io"
	"time"

	"github.com/dockmend/dockmend/internal/distroinfo"
	"github.com/dockmend/dockmend/internal/pkgdb"
	"github.com/dockmend/dockmend/internal/resolve"
	"github.com/dockmend/dockmend/internal/severity"
	"github.com/dockmend/dockmend/internal/vulndb"
)

// The rules of base's findings.
const (
	RuleEOL        = "base-eol"
	RuleStale      = "base-stale"
	RuleVulnerable = "base-vulnerable"
	RuleVariant    = "base-larger-than-variant"
)

// Rules describes each rule, for SARIF and help.
var Rules = []struct{ Name, Summary string }{
	{RuleEOL, "the base image's operating system release is past, or close to, the end of its security support"},
	{RuleStale, "a pinned base image digest is no longer the one its tag points to: rebuild on the new base"},
	{RuleVulnerable, "the base image's installed packages have known vulnerabilities"},
	{RuleVariant, "a variant of the same version of the base image is much smaller (advice: a variant can change libc and tools)"},
}

// DefaultPlatform is the platform bases are judged for when a stage names
// none.
const DefaultPlatform = "linux/amd64"

// Registry is what base asks registries; *resolve.Resolver implements it.
type Registry interface {
	Resolve(ctx context.Context, req resolve.Request) resolve.Result
	Manifest(ctx context.Context, reference, id string) (resolve.Manifest, error)
	Blob(ctx context.Context, reference, digest string) (io.ReadCloser, error)
	Tags(ctx context.Context, reference string, limits resolve.TagLimits) (resolve.Tags, error)
	Stats() resolve.Stats
}

// Options configure Inspect.
type Options struct {
	// Registry answers the lookups (required).
	Registry Registry
	// Platform is the default platform, "os/arch[/variant]" (default
	// DefaultPlatform); a FROM's constant --platform wins.
	Platform string
	// BuildArgs give ARG values for references built from ARGs.
	BuildArgs map[string]string
	// Variants lists smaller variants of each base.
	Variants bool
	// VariantRequests caps the registry requests spent on variants per
	// base (default 20).
	VariantRequests int
	// MinSaving is the fraction (0.1 = 10 %) a variant must save for a
	// base-larger-than-variant finding (default 0.1).
	MinSaving float64
	// Packages reads the installed packages and os-release from each
	// image's layers; Vulns (which implies it) also matches them.
	Packages bool
	// Vulns matches the installed packages against VulnDB.
	Vulns bool
	// VulnDB is the OSV database; nil with Vulns reports VulnDBError.
	VulnDB *vulndb.DB
	// VulnDBError says why there is no VulnDB.
	VulnDBError error
	// VulnDBMaxAge is the age past which the database is called stale
	// (default vulndb.DefaultMaxAge).
	VulnDBMaxAge time.Duration
	// MaxLayerBytes bounds the compressed bytes read from one image's
	// layers (default pkgdb.DefaultMaxBytes).
	MaxLayerBytes int64
	// EOLWarning is how long before the end of security support base-eol
	// starts to say so (default 90 days).
	EOLWarning time.Duration
	// TopVulns is how many vulnerabilities a base lists (default 5).
	TopVulns int
	// Concurrency bounds the bases inspected at once (default
	// resolve.DefaultConcurrency).
	Concurrency int
	// Distros is the release data (default distroinfo.Default()).
	Distros *distroinfo.Data
	// Now is the clock (default time.Now).
	Now func() time.Time
}

func (o *Options) defaults() {
	if o.Platform == "" {
		o.Platform = DefaultPlatform
	}
	if o.VariantRequests <= 0 {
		o.VariantRequests = 20
	}
	if o.MinSaving <= 0 {
		o.MinSaving = 0.1
	}
	if o.Vulns {
		o.Packages = true
	}
	if o.VulnDBMaxAge <= 0 {
		o.VulnDBMaxAge = vulndb.DefaultMaxAge
	}
	if o.MaxLayerBytes <= 0 {
		o.MaxLayerBytes = pkgdb.DefaultMaxBytes
	}
	if o.EOLWarning <= 0 {
		o.EOLWarning = 90 * 24 * time.Hour
	}
	if o.TopVulns <= 0 {
		o.TopVulns = 5
	}
	if o.Concurrency <= 0 {
		o.Concurrency = resolve.DefaultConcurrency
	}
	if o.Distros == nil {
		o.Distros = distroinfo.Default()
	}
	if o.Now == nil {
		o.Now = time.Now
	}
}

// Report is the outcome of Inspect.
type Report struct {
	// Version is the JSON report's schema version.
	Version int `json:"version"`
	// Generated is when the report was made.
	Generated time.Time `json:"generated"`
	// Platform is the default platform.
	Platform string `json:"platform"`
	// Files are the Dockerfiles read.
	Files []string `json:"files"`
	// Bases are the distinct base references, in order of first use.
	Bases []*Base `json:"bases"`
	// Findings are the findings, one per base and use, in file order.
	Findings []Finding `json:"findings"`
	// Skipped are references that could not be looked up, with why.
	Skipped []Skipped `json:"skipped"`
	// Errors are files and bases that could not be processed.
	Errors []Error `json:"errors"`
	// VulnDB describes the vulnerability database used, when --vulns.
	VulnDB *VulnDBInfo `json:"vuln_db,omitempty"`
	// Distros names the release data's source.
	Distros string `json:"distro_data"`
	// Requests counts the registry requests of the run.
	Requests resolve.Stats `json:"requests"`
}

// ReportVersion is the schema version of the JSON report.
const ReportVersion = 1

// Use is one place a base is named.
type Use struct {
	Path string `json:"path"`
	// Line and Column locate the reference (1-based; columns count bytes);
	// EndLine and EndColumn the position just after it.
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line"`
	EndColumn int    `json:"end_column"`
	Place     string `json:"place"`
	// Written is the reference as written after ARG expansion.
	Written string `json:"written"`
}

// Base is one distinct base reference and what was found about it.
type Base struct {
	// Reference is the reference as first written ("python:3.12-slim").
	Reference string `json:"reference"`
	// Name is the normalised name with tag and pinned digest.
	Name string `json:"name"`
	// Platform is the platform judged.
	Platform string `json:"platform"`
	Uses     []Use  `json:"uses"`
	// Digest is what the reference names: the pinned digest, else the
	// tag's current digest (an index for a multi-platform tag).
	Digest string `json:"digest,omitempty"`
	// Manifest is the platform's image manifest digest.
	Manifest string `json:"manifest,omitempty"`
	// Platforms are the index's platforms (attestations left out).
	Platforms []string `json:"platforms,omitempty"`
	// Size is the compressed size: the sum of the platform manifest's
	// layer sizes (what a pull downloads).
	Size int64 `json:"size"`
	// Layers is the number of layers.
	Layers int `json:"layers"`
	// Created is the image's creation time (annotation, else config);
	// zero when unknown or deliberately zeroed.
	Created time.Time `json:"created,omitzero"`
	// AgeDays is the age in whole days at Report.Generated.
	AgeDays int `json:"age_days,omitempty"`
	// OS is the operating system release found, nil when unknown.
	OS *OS `json:"os,omitempty"`
	// Support is the release's support status, nil when unknown.
	Support *Support `json:"support,omitempty"`
	// Stale is set when the pinned digest is no longer the tag's.
	Stale *Stale `json:"stale,omitempty"`
	// Variants are the variants of the same version that were sized.
	Variants []Variant `json:"variants,omitempty"`
	// VariantsNote says why variants were not (all) looked at.
	VariantsNote string `json:"variants_note,omitempty"`
	// Packages is what the layers hold, with Packages or Vulns.
	Packages *Packages `json:"packages,omitempty"`
	// Vulns are the vulnerability results, with Vulns.
	Vulns *Vulns `json:"vulns,omitempty"`
	// Error says why the base could not be inspected ("" when it could).
	Error string `json:"error,omitempty"`

	pkgs []pkgdb.Package // the installed packages, for matching
	in   *inspector      // inspects it, with its file's registry
}

// OS is an operating system release and how it was found.
type OS struct {
	ID        string `json:"id"`
	VersionID string `json:"version_id,omitempty"`
	Codename  string `json:"codename,omitempty"`
	// Name is the release for people: "Debian 12 (bookworm)".
	Name string `json:"name"`
	// Source says where it was found: "os-release" (the layers), "label",
	// "annotation" (org.opencontainers.image.base.name) or "tag".
	Source string `json:"source"`
}

// Support is a release's support status.
type Support struct {
	distroinfo.Release
	distroinfo.Status
}

// Stale describes a pinned digest that is no longer current.
type Stale struct {
	Pinned         string    `json:"pinned"`
	PinnedCreated  time.Time `json:"pinned_created,omitzero"`
	Current        string    `json:"current"`
	CurrentCreated time.Time `json:"current_created,omitzero"`
}

// Variant is another tag of the same version.
type Variant struct {
	Tag  string `json:"tag"`
	Size int64  `json:"size"`
	// Saving is the fraction of the base's size saved (negative when
	// larger).
	Saving float64 `json:"saving"`
	// Manifest is the platform manifest's digest.
	Manifest string `json:"manifest"`
	// Note labels well-known variant words ("musl libc", "reduced").
	Note string `json:"note,omitempty"`
}

// Packages summarises the installed-package database.
type Packages struct {
	Kind  pkgdb.Kind `json:"kind,omitempty"`
	Count int        `json:"count"`
	Paths []string   `json:"paths,omitempty"`
	// LayersRead and BytesRead say what reading them cost.
	LayersRead int   `json:"layers_read"`
	BytesRead  int64 `json:"bytes_read"`
	// Note says why the database was not (fully) read.
	Note string `json:"note,omitempty"`
}

// Vulns summarises a base's vulnerabilities.
type Vulns struct {
	Ecosystem string `json:"ecosystem,omitempty"`
	Total     int    `json:"total"`
	// Counts counts by severity: critical, high, medium, low, unknown.
	Counts map[string]int `json:"counts"`
	// Fixable counts those with a fixed version in the release.
	Fixable int `json:"fixable"`
	// Top are the most serious, fixable first.
	Top []vulndb.Finding `json:"top"`
	// Note says why there are no results ("" when there are).
	Note string `json:"note,omitempty"`
}

// Finding is one finding at one use of a base.
type Finding struct {
	Use
	Rule    string         `json:"rule"`
	Level   severity.Level `json:"level"`
	Base    string         `json:"base"`
	Message string         `json:"message"`
}

// Skipped is a reference that could not be looked up.
type Skipped struct {
	Use
	Reason string `json:"reason"`
}

// Error is a file or base that could not be processed.
type Error struct {
	Path    string `json:"path,omitempty"`
	Message string `json:"message"`
}

// VulnDBInfo describes the vulnerability database of a run.
type VulnDBInfo struct {
	Dir     string    `json:"dir"`
	Files   []string  `json:"files,omitempty"`
	Updated time.Time `json:"updated,omitzero"`
	// Stale is true when it is older than the maximum age.
	Stale bool `json:"stale"`
	// Message says what is wrong and how to fix it; "" when all is well.
	Message string `json:"message,omitempty"`
}
