#!/usr/bin/env bash
# scripts/dist.sh (make dist): the release binaries of a commit, with their checksums.
#
#   git tag v1.2.3 && make dist      dist/dockmend-{linux,darwin,windows}-{amd64,arm64}[.exe]
#                                     and dist/SHA256SUMS, each stamped "dockmend v1.2.3"
#
# The binaries are built from a clone of the commit (DIST_REV, default HEAD), never from the
# work tree: a release holds exactly what is committed, and the go command stamps the version
# from git, as `go install ...@v1.2.3` would (the tag when the commit has one, else a
# pseudo-version such as v0.0.0-20261202001223-808b4c9c59f9), with the revision and its time.
# `dockmend version` prints them. Static (CGO_ENABLED=0), -trimpath: the same commit gives the
# same bytes on any machine with the same Go.
#
# Environment: DIST_DIR (default dist), DIST_REV (default HEAD), DIST_PLATFORMS (default the six
# below), GO (default go). The modules come from the module cache (or the Go module proxy).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${DIST_DIR:-dist}
case $out in /*) ;; *) out=$root/$out ;; esac
rev=${DIST_REV:-HEAD}
platforms=${DIST_PLATFORMS:-linux/amd64 linux/arm64 darwin/amd64 darwin/arm64 windows/amd64 windows/arm64}
GO=${GO:-go}

commit=$(git rev-parse --verify --quiet "$rev^{commit}") || { echo "dist: no commit $rev" >&2; exit 2; }
if [ "$rev" = HEAD ] && [ -n "$(git status --porcelain --untracked-files=no)" ]; then
  echo "dist: the work tree has uncommitted changes; they are not in the release (it builds $commit)" >&2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# A clone: go stamps versions only in a repository whose .git is a directory (not in a
# `git worktree`, whose .git is a file), and the clone has the tags.
git clone --quiet --no-checkout "$root" "$tmp/src"
git -C "$tmp/src" -c advice.detachedHead=false checkout --quiet "$commit"

rm -rf "$out"
mkdir -p "$out"
for p in $platforms; do
  os=${p%/*} arch=${p#*/} exe=
  [ "$os" = windows ] && exe=.exe
  name=dockmend-$os-$arch$exe
  echo "dist: $name"
  (cd "$tmp/src" && CGO_ENABLED=0 GOOS=$os GOARCH=$arch "$GO" build -trimpath -buildvcs=true \
    -ldflags='-s -w' -o "$out/$name" ./cmd/dockmend)
done
(cd "$out" && sha256sum dockmend-* >SHA256SUMS)
version=$(cd "$tmp/src" && "$GO" version -m "$out/$(ls "$out" | grep -v SHA256SUMS | head -1)" | awk '$1 == "mod" {print $3}')
echo "dist: dockmend $version ($commit) in $out:"
sed 's/^/  /' "$out/SHA256SUMS"
