#!/usr/bin/env bash
# e2e/teardown.sh [--purge] - stop what e2e/setup.sh started and unmount its storage.
#
# Stops only the processes whose pid files are under $E2E_WORK/pids (the loopback registry),
# removes leftover buildah working containers of the e2e storage, and unmounts everything
# mounted under $E2E_WORK. The images, the registry data and the base stay, so the next
# setup takes a second. --purge also deletes $E2E_WORK. Debian packages are left installed.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

purge=0
case ${1:-} in --purge) purge=1 ;; "") ;; *) echo "usage: $0 [--purge]" >&2; exit 2 ;; esac
[ -d "$E2E_WORK" ] || { info "nothing to tear down ($E2E_WORK does not exist)"; exit 0; }
[ "$(id -u)" = 0 ] || skip_or_fail "e2e teardown needs root"
take_lock

stop_registry
if command -v buildah >/dev/null && [ -f "$CONTAINERS_STORAGE_CONF" ]; then
  buildah rm --all >/dev/null 2>&1 || true
  podman rm --all --force >/dev/null 2>&1 || true
fi
# containers/storage leaves $E2E_WORK/storage/overlay (and layer mounts) mounted: deepest first
{ findmnt -rn -o TARGET | grep -F "$E2E_WORK/" || true; } | sort -r | while read -r m; do
  umount "$m" 2>/dev/null || umount -l "$m" || true
done
if [ $purge = 1 ]; then
  exec 9>&-
  rm -rf "$E2E_WORK"
  info "stopped, unmounted and deleted $E2E_WORK"
else
  info "stopped and unmounted; data kept in $E2E_WORK (--purge deletes it)"
fi
