#!/usr/bin/env bash
# demo-migrate.sh DOCKMEND: a fleet migration on the bundled examples, offline.
#
# Each folder of testdata/examples becomes a git repository (one commit) in
# a temporary directory; dockmend migrate then fixes them all, pinning
# through the bundled lock file, and one repository's new branch is shown.
# The temporary directory is removed at the end.
set -euo pipefail

bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
here=$(cd "$(dirname "$0")/.." && pwd)
lock=$here/testdata/examples/dockmend.lock
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# A known identity and date and no user configuration, so the demo is the
# same everywhere (the commit ids change only with dockmend's version,
# which the commit messages name).
export GIT_CONFIG_GLOBAL=/dev/null GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME="Demo" GIT_AUTHOR_EMAIL="demo@example.com"
export GIT_COMMITTER_NAME="Demo" GIT_COMMITTER_EMAIL="demo@example.com"
export GIT_AUTHOR_DATE="2026-11-28T00:00:00Z" GIT_COMMITTER_DATE="2026-11-28T00:00:00Z"

for d in "$here"/testdata/examples/*/; do
  repo=$tmp/fleet/$(basename "$d")
  mkdir -p "$repo"
  cp -R "$d". "$repo"/
  git -C "$repo" init -q -b main
  git -C "$repo" add -A
  git -C "$repo" commit -q -m "initial import"
done

cd "$tmp"
echo "\$ dockmend migrate --offline --lockfile dockmend.lock --root fleet --report report.json"
"$bin" migrate --offline --lockfile "$lock" --root fleet --report report.json
echo
branch=$(git -C fleet/python-api branch --list 'dockmend/*' --format='%(refname:short)')
echo "\$ git -C fleet/python-api log -1 --stat $branch"
git -C fleet/python-api log -1 --stat "$branch"
echo
echo "\$ git -C fleet/python-api status --short   # the checkout is untouched"
git -C fleet/python-api status --short
