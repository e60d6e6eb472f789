# shellcheck shell=bash
# Common settings and helpers for the e2e harness. Sourced by setup.sh, run.sh, teardown.sh.
#
# Everything the harness makes lives under $E2E_WORK (default /var/tmp/dockmend-e2e):
#   conf/      storage.conf, containers.conf, registries.conf, registry.yml (rewritten by setup)
#   storage/   containers/storage graph root (overlay), runroot/ its run root
#   registry/  the loopback registry's blobs      pids/  pid files of processes we started
#   rootfs/    debootstrap tree of the base image  state/ base digest, stamps
#   tmp/       TMPDIR for builds (RUN --mount=type=cache lives in tmp/buildah-cache)
#   bin/       the dockmend binary built for the run
#   run/       one folder per fixture: original/ and fixed/ build contexts, logs, result.json
#   report/    e2e-results.md and e2e-results.json of the last run
#   logs/      setup and registry logs

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_ROOT=$(cd "$E2E_DIR/.." && pwd)
FIXTURE_ROOT=${E2E_FIXTURES_DIR:-$REPO_ROOT/testdata/e2e}

E2E_WORK=${E2E_WORK:-/var/tmp/dockmend-e2e}
E2E_REGISTRY_PORT=${E2E_REGISTRY_PORT:-5042}
# name used in image references (registries.conf) and the address the registry listens on
REG=localhost:$E2E_REGISTRY_PORT
REG_ADDR=127.0.0.1:$E2E_REGISTRY_PORT
REG_URL=http://$REG_ADDR
BASE_IMAGE=localhost/dockmend-e2e-base   # never a Docker Hub short name: a local name shadows the remap
SLIM_IMAGE=localhost/dockmend-e2e-base-slim   # the base slimmed as Docker Hub's debian:*-slim (debuerreotype-slimify)
# What setup makes: when this changes, setup deletes the images and the registry of an older layout
# (a work directory made before the slim base would otherwise keep serving the unslimmed one).
E2E_LAYOUT=2

# The packages the harness needs, all from Debian's archive.
E2E_PACKAGES="buildah podman runc debootstrap debuerreotype docker-registry busybox-static jq curl"

export CONTAINERS_STORAGE_CONF=$E2E_WORK/conf/storage.conf
export CONTAINERS_CONF=$E2E_WORK/conf/containers.conf
export CONTAINERS_REGISTRIES_CONF=$E2E_WORK/conf/registries.conf
export DEBIAN_FRONTEND=noninteractive
# Docker-like behaviour for every `buildah build`:
export BUILDAH_ISOLATION=chroot   # the default OCI runtime path (crun) fails on this host's hybrid cgroups
export BUILDAH_FORMAT=docker      # OCI format drops SHELL and HEALTHCHECK
export BUILDAH_LAYERS=true        # one layer per instruction, as docker build does (default squashes)
# RUN --mount=type=cache lives in $TMPDIR/buildah-cache: keep it inside the work directory
export TMPDIR=$E2E_WORK/tmp
# buildah passes the host's proxy variables into RUN steps; a build must see only the registries
unset http_proxy https_proxy HTTP_PROXY HTTPS_PROXY no_proxy NO_PROXY ftp_proxy FTP_PROXY all_proxy ALL_PROXY

say()  { printf '%s\n' "$*" >&2; }
info() { printf '[e2e] %s\n' "$*" >&2; }
die()  { printf '[e2e] error: %s\n' "$*" >&2; exit 1; }

is_ci() { [ "${CI:-}" = true ] || [ "${CI:-}" = 1 ]; }

# skip_or_fail MESSAGE: a machine that cannot run e2e skips it, except in CI where it is a failure.
# Exit code 0 (skip) is what `make e2e` returns on a laptop without root; E2E_SKIP_CODE overrides.
skip_or_fail() {
  if is_ci || [ "${E2E_REQUIRED:-0}" = 1 ]; then
    printf '[e2e] FAIL: %s (CI=%s: e2e is required here, not skipped)\n' "$1" "${CI:-}" >&2
    exit 1
  fi
  printf '[e2e] SKIP: %s\n' "$1" >&2
  exit "${E2E_SKIP_CODE:-0}"
}

require_root_debian() {
  [ "$(id -u)" = 0 ] || skip_or_fail "e2e builds need root (buildah chroot isolation, debootstrap); run as root or set CI=true to make this a failure"
  command -v apt-get >/dev/null 2>&1 && command -v dpkg-query >/dev/null 2>&1 \
    || skip_or_fail "e2e needs a Debian 12 host with apt (no apt-get here)"
  grep -q '^12' /etc/debian_version 2>/dev/null \
    || skip_or_fail "e2e needs Debian 12 (bookworm); this is $(cat /etc/debian_version 2>/dev/null || echo unknown)"
}

missing_packages() {
  local p out=""
  for p in $E2E_PACKAGES; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || out="$out $p"
  done
  printf '%s' "${out# }"
}

now_ns() { date +%s%N; }
secs_since() { awk -v n=$(( $(now_ns) - $1 )) 'BEGIN{printf "%.1f", n/1e9}'; }

# One run of the harness at a time per work directory (others on this machine may run it too).
take_lock() {
  [ "${E2E_LOCKED:-}" = "$E2E_WORK" ] && return 0   # a parent run.sh holds it already
  mkdir -p "$E2E_WORK"
  exec 9>"$E2E_WORK/.lock"
  if ! flock -n 9; then
    info "another e2e run holds $E2E_WORK/.lock; waiting for it (at most ${E2E_LOCK_WAIT:-1800}s)"
    flock -w "${E2E_LOCK_WAIT:-1800}" 9 || die "timed out waiting for $E2E_WORK/.lock"
  fi
  export E2E_LOCKED=$E2E_WORK
}

# pid_alive NAME: the pid in pids/NAME.pid is running and is the process we started
# (its command line mentions our work directory), so a reused pid is never taken for ours.
pid_alive() {
  local f=$E2E_WORK/pids/$1.pid pid
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ] || return 1
  tr '\0' ' ' < "/proc/$pid/cmdline" | grep -qF "$E2E_WORK/"
}

# stop_registry: stop the registry we started (by its pid file), and nothing else
stop_registry() {
  local pid i
  if pid_alive registry; then
    pid=$(cat "$E2E_WORK/pids/registry.pid")
    kill "$pid" 2>/dev/null || true
    for i in $(seq 50); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
    [ -d "/proc/$pid" ] && kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$E2E_WORK/pids/registry.pid"
}

registry_up() { curl -fsS -o /dev/null --max-time 2 "$REG_URL/v2/" 2>/dev/null; }

# registry_has REPO TAG: the loopback registry serves that manifest
registry_has() {
  curl -fsS -o /dev/null --max-time 5 \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    -H 'Accept: application/vnd.docker.distribution.manifest.list.v2+json' \
    -H 'Accept: application/vnd.oci.image.index.v1+json' \
    "$REG_URL/v2/$1/manifests/$2" 2>/dev/null
}

# hub_path REF: Docker Hub reference -> repository path in the registry (library/ for official images)
#   golang:1.19-bookworm -> library/golang ; docker.io/foo/bar:1 -> foo/bar
hub_path() {
  local r=${1%%@*}
  r=${r#docker.io/}; r=${r#index.docker.io/}
  case $r in */*:*|*/*) ;; *) r=library/$r ;; esac
  printf '%s' "${r%%:*}"
}
hub_tag() {
  local r=${1%%@*}; r=${r##*/}
  case $r in *:*) printf '%s' "${r##*:}" ;; *) printf latest ;; esac
}
