#!/usr/bin/env bash
# e2e/base.sh - `dockmend base` on the harness's real base images (make e2e-base).
#
# The e2e setup gives a loopback registry with the debootstrap base pushed as debian:bookworm,
# debian:bookworm-slim and debian:12, and the toolchain stand-ins (golang:1.19-bookworm,
# python:3.11-slim-bookworm, node:18-bookworm-slim). This script runs
# `dockmend base --packages --format json` on Dockerfiles naming them and checks, per image,
# against facts gathered independently of dockmend:
#   size      the sum of the layer sizes in the registry's manifest (curl + jq)
#   packages  the installed packages counted by dpkg-query inside the image (podman run)
#   release   Debian 12 (bookworm), read from the image's os-release
#   EOL       the eol and eol-lts dates of bookworm in this machine's /usr/share/distro-info/debian.csv
# It prints the text report, then `e2e-base: N passed, N failed`, and exits 1 on a failure.
# Like the rest of the harness it needs root on Debian 12 and skips elsewhere (fails under CI=true).
set -euo pipefail
. "$(dirname "$0")/lib.sh"

require_root_debian
[ -r /usr/share/distro-info/debian.csv ] || apt-get install -y -qq distro-info-data >/dev/null
take_lock
bash "$E2E_DIR/setup.sh" golang:1.19-bookworm python:3.11-slim-bookworm node:18-bookworm-slim

OUT=$E2E_WORK/base
rm -rf "$OUT"; mkdir -p "$OUT/ctx/a" "$OUT/ctx/b"
if [ -n "${DOCKMEND:-}" ]; then BIN=$DOCKMEND; else
  BIN=$E2E_WORK/bin/dockmend
  (cd "$REPO_ROOT" && go build -o "$BIN" ./cmd/dockmend)
fi
cat >"$OUT/ctx/a/Dockerfile" <<'DF'
FROM debian:bookworm AS base
FROM golang:1.19-bookworm AS build
COPY --from=python:3.11-slim-bookworm /usr/local/bin /opt/py
FROM node:18-bookworm-slim
DF
cat >"$OUT/ctx/b/Dockerfile" <<'DF'
FROM debian:bookworm-slim
RUN --mount=type=bind,from=debian:bookworm,target=/b true
DF

rc=0
"$BIN" base --registry-mirror "docker.io=$REG_URL" --packages --format json --failure-threshold none \
  "$OUT/ctx" >"$OUT/report.json" 2>"$OUT/stderr.txt" || rc=$?
"$BIN" base --registry-mirror "docker.io=$REG_URL" --packages --failure-threshold none "$OUT/ctx" >"$OUT/report.txt" 2>&1 || true
cat "$OUT/report.txt"
[ "$rc" = 0 ] || { cat "$OUT/stderr.txt" >&2; die "dockmend base exited with $rc"; }

pass=0 fail=0
check() { # check WHAT GOT WANT
  if [ "$2" = "$3" ]; then pass=$((pass + 1)); printf '  ok    %-50s %s\n' "$1" "$2"
  else fail=$((fail + 1)); printf '  FAIL  %-50s got %s, want %s\n' "$1" "$2" "$3"; fi
}
accept='application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json'
IFS=, read -r _ _ _ _ _ eol eol_lts _ < <(grep -i ',bookworm,' /usr/share/distro-info/debian.csv)
echo
echo "[e2e-base] checks (bookworm: eol $eol, eol-lts $eol_lts from /usr/share/distro-info/debian.csv)"
for ref in debian:bookworm debian:bookworm-slim golang:1.19-bookworm python:3.11-slim-bookworm node:18-bookworm-slim; do
  repo=$(hub_path "$ref") tag=$(hub_tag "$ref")
  base=$(jq -c --arg r "$ref" '.bases[] | select(.reference == $r)' "$OUT/report.json")
  [ -n "$base" ] || { check "$ref: in the report" no yes; continue; }
  size=$(curl -fsS -H "Accept: $accept" "$REG_URL/v2/$repo/manifests/$tag" | jq '[.layers[].size] | add')
  check "$ref: compressed size" "$(jq .size <<<"$base")" "$size"
  pkgs=$(podman run --rm --pull=never "$REG/$repo:$tag" dpkg-query -W -f '${Status}\n' 2>/dev/null | grep -c 'install ok installed' || true)
  if [ -z "$pkgs" ] || [ "$pkgs" = 0 ]; then
    podman pull -q "$REG/$repo:$tag" >/dev/null 2>&1 || true
    pkgs=$(podman run --rm "$REG/$repo:$tag" dpkg-query -W -f '${Status}\n' | grep -c 'install ok installed')
  fi
  check "$ref: installed packages" "$(jq .packages.count <<<"$base")" "$pkgs"
  check "$ref: release" "$(jq -r '.os.id + " " + .os.version_id + " " + .os.codename + " (" + .os.source + ")"' <<<"$base")" "debian 12 bookworm (os-release)"
  check "$ref: end of security support" "$(jq -r '.support.eol[:10]' <<<"$base")" "$eol"
  check "$ref: end of LTS" "$(jq -r '.support.lts_end[:10]' <<<"$base")" "$eol_lts"
done
check "each distinct base inspected once" "$(jq '.bases | length' "$OUT/report.json")" 5
echo "e2e-base: $pass passed, $fail failed"
[ "$fail" = 0 ]
