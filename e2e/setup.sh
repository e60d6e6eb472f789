#!/usr/bin/env bash
# e2e/setup.sh - set up what is missing for the e2e image builds, idempotently.
#
#   bash e2e/setup.sh            packages, configs, loopback registry, debian:bookworm base, busybox
#   bash e2e/setup.sh REF...     the same, plus the toolchain stand-ins for these Docker Hub
#                                references (e.g. golang:1.19-bookworm), built only if missing
#   bash e2e/setup.sh all        the same, plus every stand-in under e2e/standins/
#
# Needs root on Debian 12. Everything goes under $E2E_WORK (default /var/tmp/dockmend-e2e),
# except the Debian packages (apt-get install). A second call finds everything in place and
# takes about a second. Without root or apt it skips (exit 0) with a message, except with
# CI=true, where a missing prerequisite is a failure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

SETUP_LOG=$E2E_WORK/logs/setup.log

step() { # step NAME CMD...: run and time one setup step (in a subshell with set -e), output to setup.log
  local name=$1 t rc; shift; t=$(now_ns)
  printf '\n=== %s\n' "$name" >>"$SETUP_LOG"
  set +e
  ( set -e; "$@" ) >>"$SETUP_LOG" 2>&1
  rc=$?
  set -e
  info "$(printf '%-30s %6ss%s' "$name" "$(secs_since "$t")" "$([ $rc = 0 ] || echo "  FAILED (rc=$rc)")")"
  if [ $rc != 0 ]; then tail -15 "$SETUP_LOG" | sed 's/^/    /' >&2; info "full log: $SETUP_LOG"; fi
  return $rc
}

# --------------------------------------------------------------------------- packages
install_packages() {
  local missing; missing=$(missing_packages)
  [ -n "$missing" ] || return 0
  info "installing Debian packages: $missing"
  local t; t=$(now_ns)
  # shellcheck disable=SC2086
  if ! { apt-get update -qq && apt-get install -y -qq $missing; } >>"$SETUP_LOG" 2>&1; then
    tail -5 "$SETUP_LOG" >&2
    skip_or_fail "could not install the e2e packages ($missing) from Debian's archive"
  fi
  missing=$(missing_packages)
  [ -z "$missing" ] || skip_or_fail "packages still missing after apt-get install: $missing"
  info "packages installed in $(secs_since "$t")s"
}

# --------------------------------------------------------------------------- configs
write_configs() {
  cat >"$E2E_WORK/conf/storage.conf" <<EOF
# written by e2e/setup.sh
[storage]
driver = "overlay"
graphroot = "$E2E_WORK/storage"
runroot = "$E2E_WORK/runroot"
EOF
  cat >"$E2E_WORK/conf/containers.conf" <<'EOF'
# written by e2e/setup.sh
[containers]
# the sandbox lacks CAP_SYS_RESOURCE: podman's default rlimits (1048576) cannot be set
default_ulimits = ["nofile=1024:1024", "nproc=4096:4096"]
netns = "host"
[engine]
runtime = "runc"             # crun 1.8 fails on hybrid cgroups v1/v2
cgroup_manager = "cgroupfs"  # no systemd
events_logger = "file"
EOF
  cat >"$E2E_WORK/conf/registries.conf" <<EOF
# written by e2e/setup.sh: every docker.io/* reference goes to the loopback registry
unqualified-search-registries = ["docker.io"]
short-name-mode = "permissive"
[[registry]]
location = "$REG"
insecure = true
[[registry]]
prefix = "docker.io"
location = "$REG"
insecure = true
EOF
  cat >"$E2E_WORK/conf/registry.yml" <<EOF
# written by e2e/setup.sh
version: 0.1
log: {level: info, accesslog: {disabled: false}}
storage:
  filesystem: {rootdirectory: $E2E_WORK/registry}
  delete: {enabled: true}
http: {addr: $REG_ADDR}
EOF
}

# --------------------------------------------------------------------------- registry
start_registry() {
  if pid_alive registry && registry_up; then return 0; fi
  if registry_up; then
    die "something else already answers on $REG_ADDR (not our registry); set E2E_REGISTRY_PORT to a free port"
  fi
  rm -f "$E2E_WORK/pids/registry.pid"
  # setsid: the registry outlives this script (and make); teardown.sh stops it by its pid file
  setsid docker-registry serve "$E2E_WORK/conf/registry.yml" \
    </dev/null >>"$E2E_WORK/logs/registry.log" 2>&1 9>&- &
  echo $! >"$E2E_WORK/pids/registry.pid"
  local i
  for i in $(seq 100); do registry_up && break; sleep 0.1; done
  registry_up || { tail -5 "$E2E_WORK/logs/registry.log" >&2; die "the registry did not come up on $REG_ADDR"; }
  pid_alive registry || die "the registry on $REG_ADDR is not the process we started"
  echo "registry pid $(cat "$E2E_WORK/pids/registry.pid") on $REG_ADDR"
}

# --------------------------------------------------------------------------- base image
local_image_exists() { buildah inspect --type image "$1" >/dev/null 2>&1; }

# import_rootfs DIR IMAGE CMD_JSON: an image from a directory tree (owners and modes kept)
import_rootfs() {
  local ctr mnt; ctr=$(buildah from scratch); mnt=$(buildah mount "$ctr")
  tar -C "$1" -cf - . | tar -C "$mnt" -xpf -
  buildah umount "$ctr" >/dev/null
  buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    --cmd "$3" "$ctr"
  buildah commit --quiet --rm "$ctr" "$2" >/dev/null
}

make_base_rootfs() {
  local R=$E2E_WORK/rootfs
  rm -rf "$R"
  # no mirror argument: debootstrap's default Debian mirror, as the host's apt uses
  debootstrap --variant=minbase bookworm "$R"
  # The official debian image's apt/dpkg settings (debuerreotype), so that apt layers have the
  # sizes they have on Docker Hub's debian:bookworm: no package caches, no translations.
  cat >"$R/etc/apt/apt.conf.d/docker-clean" <<'EOF'
DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
APT::Update::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb /var/cache/apt/*.bin || true"; };
Dir::Cache::pkgcache "";
Dir::Cache::srcpkgcache "";
EOF
  echo 'Acquire::Languages "none";' >"$R/etc/apt/apt.conf.d/docker-no-languages"
  printf 'Acquire::GzipIndexes "true";\nAcquire::CompressionTypes::Order:: "gz";\n' >"$R/etc/apt/apt.conf.d/docker-gzip-indexes"
  echo 'Apt::AutoRemove::SuggestsImportant "false";' >"$R/etc/apt/apt.conf.d/docker-autoremove-suggests"
  echo 'force-unsafe-io' >"$R/etc/dpkg/dpkg.cfg.d/docker-apt-speedup"
  # the image uses the host's Debian sources (bookworm, -updates, -security)
  rm -f "$R/etc/apt/sources.list"
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$R/etc/apt/sources.list.d/debian.sources"
  elif [ -f /etc/apt/sources.list ]; then
    cp /etc/apt/sources.list "$R/etc/apt/sources.list"
  fi
  rm -rf "$R"/var/cache/apt/archives/*.deb "$R"/var/cache/apt/*.bin "$R"/var/lib/apt/lists/* \
    "$R"/var/log/*.log "$R"/var/cache/ldconfig/aux-cache "$R/etc/resolv.conf"
  mkdir -p "$R/var/lib/apt/lists/partial"
  echo localhost >"$R/etc/hostname"
  # HTTPS leaving this machine may be re-signed by a local CA that only the host trusts. Its
  # certificates go into the image's drop-in folder, where they stay inert until a build installs
  # ca-certificates: an image without ca-certificates still fails HTTPS as it would elsewhere.
  if [ "${E2E_TRUST_HOST_CA:-1}" = 1 ] && ls /usr/local/share/ca-certificates/*.crt >/dev/null 2>&1; then
    mkdir -p "$R/usr/local/share/ca-certificates"
    cp /usr/local/share/ca-certificates/*.crt "$R/usr/local/share/ca-certificates/"
  fi
  import_rootfs "$R" "$BASE_IMAGE:latest" '["bash"]'
  rm -rf "$R"
}

# make_slim_rootfs: debian:bookworm-slim as Docker Hub makes it. The official slim images are the
# same debootstrap tree run through debuerreotype-slimify, which deletes documentation, man pages,
# info pages and translations (copyright files stay) and writes /etc/dpkg/dpkg.cfg.d/docker so
# that dpkg leaves them out of every package installed later. Running the real script, not a copy
# of its lists, keeps slim-only failures (a postinst that expects /usr/share/man/man1) and slim
# sizes what they are on Docker Hub.
make_slim_rootfs() {
  local S=$E2E_WORK/rootfs-slim ctr mnt
  rm -rf "$S"; mkdir -p "$S"
  ctr=$(buildah from --pull=never "$BASE_IMAGE:latest"); mnt=$(buildah mount "$ctr")
  tar -C "$mnt" -cf - . | tar -C "$S" -xpf -
  buildah umount "$ctr" >/dev/null; buildah rm "$ctr" >/dev/null
  # debuerreotype-chroot reads the build's timestamp (SOURCE_DATE_EPOCH) from this file
  date +%s >"$S/debuerreotype-epoch"
  debuerreotype-slimify "$S"
  rm -f "$S/debuerreotype-epoch"
  import_rootfs "$S" "$SLIM_IMAGE:latest" '["bash"]'
  rm -rf "$S"
}

# forget_old_layout: a work directory set up by an older harness (state/layout differs from
# E2E_LAYOUT) loses its images and registry content, which setup then makes again.
forget_old_layout() {
  local have; have=$(cat "$E2E_WORK/state/layout" 2>/dev/null || echo 1)
  [ "$have" = "$E2E_LAYOUT" ] && return 0
  info "work directory layout $have, harness layout $E2E_LAYOUT: removing the old images and registry content"
  stop_registry
  local img
  for img in $(buildah images --format '{{.Name}}' 2>/dev/null | sort -u); do
    case "$img" in localhost/dockmend-e2e-*) buildah rmi --force "$img" >/dev/null 2>&1 || true ;; esac
  done
  rm -rf "${E2E_WORK:?}/registry" && mkdir -p "$E2E_WORK/registry"
  echo "$E2E_LAYOUT" >"$E2E_WORK/state/layout"
}

make_busybox() {
  local B=$E2E_WORK/rootfs-busybox a
  rm -rf "$B"; mkdir -p "$B/bin" "$B/tmp" "$B/etc"
  cp /bin/busybox "$B/bin/busybox"
  for a in $("$B/bin/busybox" --list); do [ "$a" = busybox ] || ln -sf busybox "$B/bin/$a"; done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$B/etc/passwd"; echo 'root:x:0:' >"$B/etc/group"
  import_rootfs "$B" localhost/dockmend-e2e-busybox:latest '["sh"]'
  rm -rf "$B"
}

# push_as IMAGE REPO TAG: push a local image to the registry under a Docker Hub path
push_as() {
  buildah push --quiet --digestfile "$E2E_WORK/state/last.digest" "$1" "docker://$REG/$2:$3" >/dev/null
}

ensure_base() {
  if ! local_image_exists "$BASE_IMAGE"; then
    step "debootstrap + import base" make_base_rootfs
  fi
  local t
  for t in bookworm 12; do
    registry_has library/debian "$t" || step "push debian:$t" push_as "$BASE_IMAGE" library/debian "$t"
  done
  if ! local_image_exists "$SLIM_IMAGE"; then
    step "debuerreotype-slimify the base" make_slim_rootfs
  fi
  for t in bookworm-slim 12-slim; do
    registry_has library/debian "$t" || step "push debian:$t" push_as "$SLIM_IMAGE" library/debian "$t"
  done
  if ! local_image_exists localhost/dockmend-e2e-busybox; then step "busybox image" make_busybox; fi
  registry_has library/busybox latest || step "push busybox:latest" push_as localhost/dockmend-e2e-busybox library/busybox latest
  # a fixture's "# syntax=docker/dockerfile:1" is pinned like a FROM; buildah does not run syntax
  # frontends, so any image serves as the reference the pin resolves
  registry_has docker/dockerfile 1 || step "push docker/dockerfile:1" push_as localhost/dockmend-e2e-busybox docker/dockerfile 1
  # the digest a pinned `FROM debian:bookworm@sha256:...` must name
  curl -fsS -o /dev/null -D - -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' "$REG_URL/v2/library/debian/manifests/bookworm" \
    | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest"{print $2}' >"$E2E_WORK/state/base.digest"
  [ -s "$E2E_WORK/state/base.digest" ] || die "could not read the digest of debian:bookworm from the registry"
}

# --------------------------------------------------------------------------- stand-ins
# e2e/standins/<name>/Dockerfile builds a stand-in for an official toolchain image from the
# Debian base; e2e/standins/<name>/tags lists the Docker Hub references it is pushed as.
standin_for() { # standin_for REF -> directory name, or nothing
  local d
  for d in "$E2E_DIR"/standins/*/; do
    grep -qxF "$1" "$d/tags" 2>/dev/null && { basename "$d"; return 0; }
  done
  return 1
}

build_standin() {
  local name=$1 ref
  buildah build --no-cache --force-rm --pull=always --http-proxy=false \
    -t "localhost/dockmend-e2e-standin-$name" "$E2E_DIR/standins/$name"
  while read -r ref; do
    [ -n "$ref" ] || continue
    push_as "localhost/dockmend-e2e-standin-$name" "$(hub_path "$ref")" "$(hub_tag "$ref")"
  done <"$E2E_DIR/standins/$name/tags"
}

ensure_ref() { # ensure_ref REF: a Docker Hub reference resolves in the loopback registry
  local ref=$1 name
  registry_has "$(hub_path "$ref")" "$(hub_tag "$ref")" && return 0
  name=$(standin_for "$ref") || die "no image for $ref: add a stand-in under e2e/standins/ (with a tags file)"
  step "stand-in $name" build_standin "$name"
}

# --------------------------------------------------------------------------- main
# one function, read whole before it runs
main() {
  require_root_debian
  take_lock
  mkdir -p "$E2E_WORK"/{conf,storage,runroot,registry,tmp,logs,pids,state,bin}
  local t0 refs d r; t0=$(now_ns)
  install_packages
  write_configs
  forget_old_layout
  step "registry" start_registry
  ensure_base
  refs=("$@")
  if [ "${1:-}" = all ]; then
    refs=(); for d in "$E2E_DIR"/standins/*/; do while read -r r; do [ -n "$r" ] && refs+=("$r"); done <"$d/tags"; done
  fi
  for r in "${refs[@]}"; do ensure_ref "$r"; done
  info "setup done in $(secs_since "$t0")s (work dir $E2E_WORK, registry $REG_ADDR, base $(cat "$E2E_WORK/state/base.digest"))"
}

main "$@"
