// Command gen writes the Debian package metadata that internal/debmeta
// embeds, from Debian's own package indices fetched with the machine's
// apt. Run it with:
//
//	go generate ./internal/debmeta          # runs: go run ./gen -out data bookworm trixie
//
// It finds the Debian archive among the machine's apt sources (the index
// targets whose origin and label are "Debian"), writes a sources file for
// the wanted releases (the same archive with the suite swapped) into a
// temporary directory, and runs apt-get update with private state, cache
// and source lists there, so that nothing of the machine's apt changes
// and no mirror host name is written anywhere but that directory. It
// reads each release's main/binary-amd64/Packages index (decompressed by
// apt-helper), checks its SHA-256 against the release file, derives the
// data (debmeta.Derive) and writes data/RELEASE.txt, whose header records
// the release file's version and date and the index's digest.
//
// Flags: -out DIR (where the files go), -uri URI (the archive, instead of
// the one found among the machine's sources), -keyring FILE (the keyring
// that signs the release files; default Debian's archive keyring). It
// needs apt-get and network access to the archive; it does not need root.
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/dockmend/dockmend/internal/atomicfile"
	"github.com/dockmend/dockmend/internal/debmeta"
)

func main() {
	out := flag.String("out", "data", "directory for the RELEASE.txt files")
	uri := flag.String("uri", "", "the Debian archive to read (default: the one in the machine's apt sources)")
	keyring := flag.String("keyring", "/usr/share/keyrings/debian-archive-keyring.gpg", "keyring that signs the release files")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: gen [-out DIR] [-uri URI] [-keyring FILE] RELEASE...\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	if err := run(ctx, *out, *uri, *keyring, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

var releaseRE = regexp.MustCompile(`^[a-z]+$`)

func run(ctx context.Context, out, uri, keyring string, releases []string) error {
	for _, r := range releases {
		if !releaseRE.MatchString(r) {
			return fmt.Errorf("%q is not a release code name", r)
		}
	}
	if uri == "" {
		var err error
		if uri, err = hostArchive(ctx); err != nil {
			return err
		}
	}
	tmp, err := os.MkdirTemp("", "debmeta-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	a := &apt{dir: tmp}
	for _, d := range []string{"sources.list.d", "state/lists/partial", "cache/archives/partial"} {
		if err := os.MkdirAll(filepath.Join(tmp, d), 0o755); err != nil {
			return err
		}
	}
	// Only the Packages target: not the translations, Contents or DEP-11
	// metadata the machine's configuration may enable.
	src := fmt.Sprintf("Types: deb\nURIs: %s\nSuites: %s\nComponents: main\nArchitectures: amd64\nTargets: Packages\nSigned-By: %s\n",
		uri, strings.Join(releases, " "), keyring)
	if err := os.WriteFile(filepath.Join(tmp, "sources.list.d", "debian.sources"), []byte(src), 0o644); err != nil {
		return err
	}
	if _, err := a.run(ctx, "apt-get", "update"); err != nil {
		return err
	}
	targets, err := a.run(ctx, "apt-get", "indextargets", "--format", "$(CODENAME)\t$(FILENAME)", "Identifier: Packages")
	if err != nil {
		return err
	}
	files := map[string]string{}
	for _, l := range strings.Split(strings.TrimSpace(string(targets)), "\n") {
		if c, f, ok := strings.Cut(l, "\t"); ok {
			files[c] = f
		}
	}
	for _, r := range releases {
		f, ok := files[r]
		if !ok {
			return fmt.Errorf("apt fetched no Packages index for %s", r)
		}
		if err := generate(ctx, a, r, f, out); err != nil {
			return fmt.Errorf("%s: %w", r, err)
		}
	}
	return nil
}

// hostArchive returns the URI of the Debian archive in the machine's apt
// sources.
func hostArchive(ctx context.Context) (string, error) {
	b, err := exec.CommandContext(ctx, "apt-get", "indextargets", "--format", "$(ORIGIN)\t$(LABEL)\t$(REPO_URI)", "Identifier: Packages").Output()
	if err != nil {
		return "", fmt.Errorf("apt-get indextargets: %w (is this a Debian machine with apt?)", err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Split(l, "\t")
		if len(f) == 3 && f[0] == "Debian" && f[1] == "Debian" {
			return f[2], nil
		}
	}
	return "", errors.New("no Debian archive among the machine's apt sources; give -uri")
}

// apt runs apt commands with private configuration under dir.
type apt struct{ dir string }

func (a *apt) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	opts := []string{
		"-o", "Dir::Etc::SourceList=" + filepath.Join(a.dir, "none.list"),
		"-o", "Dir::Etc::SourceParts=" + filepath.Join(a.dir, "sources.list.d"),
		"-o", "Dir::State=" + filepath.Join(a.dir, "state"),
		"-o", "Dir::State::status=" + filepath.Join(a.dir, "status"),
		"-o", "Dir::Cache=" + filepath.Join(a.dir, "cache"),
		"-o", "Debug::NoLocking=true",
		"-o", "APT::Architecture=amd64",
		"-o", "APT::Architectures::=amd64",
	}
	if err := os.WriteFile(filepath.Join(a.dir, "status"), nil, 0o644); err != nil {
		return nil, err
	}
	cmd := exec.CommandContext(ctx, name, append(opts, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w\n%s", name, strings.Join(args, " "), err, stderr.String())
	}
	return b, nil
}

// catFile returns the decompressed content of a file apt stored.
func catFile(ctx context.Context, file string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, "/usr/lib/apt/apt-helper", "cat-file", file)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	b, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("apt-helper cat-file %s: %w\n%s", file, err, stderr.String())
	}
	return b, nil
}

func generate(ctx context.Context, a *apt, release, packagesFile, out string) error {
	idx, err := catFile(ctx, packagesFile)
	if err != nil {
		return err
	}
	// The release file sits beside the index: NAME_dists_SUITE_InRelease.
	i := strings.Index(packagesFile, "_main_binary-amd64_Packages")
	if i < 0 {
		return fmt.Errorf("unexpected index file name %s", packagesFile)
	}
	rel, err := os.ReadFile(packagesFile[:i] + "_InRelease")
	if err != nil {
		return err
	}
	h := debmeta.Header{Release: release, Index: "main/binary-amd64/Packages"}
	h.Version = field(rel, "Version")
	h.Date = field(rel, "Date")
	sum := sha256.Sum256(idx)
	h.SHA256 = hex.EncodeToString(sum[:])
	if !strings.Contains(string(rel), " "+h.SHA256+" ") {
		return fmt.Errorf("the index's SHA-256 %s is not in the release file", h.SHA256)
	}
	pkgs, err := debmeta.ParsePackages(bytes.NewReader(idx))
	if err != nil {
		return err
	}
	h.Packages = len(pkgs)
	var buf bytes.Buffer
	if err := debmeta.Derive(pkgs).Write(&buf, h); err != nil {
		return err
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	dst := filepath.Join(out, release+".txt")
	if err := atomicfile.Replace(dst, buf.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "gen: %s: %s %s, %d packages -> %s (%d bytes)\n", release, h.Version, h.Date, h.Packages, dst, buf.Len())
	return nil
}

// field returns the value of a field of a release file's header.
func field(rel []byte, name string) string {
	for _, l := range strings.Split(string(rel), "\n") {
		if v, ok := strings.CutPrefix(l, name+":"); ok {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
