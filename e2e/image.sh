#!/usr/bin/env bash
# e2e/image.sh - build dockmend's own container image from the repository's Dockerfile with
# buildah and smoke-test it (make e2e-image).
#
#   1. `dockmend check --offline --lockfile docs/examples.lock.yaml Dockerfile` passes: the
#      Dockerfile follows dockmend's rules and pins the digests the lock file records.
#   2. A copy of the Dockerfile is re-pinned to the loopback registry with
#      `dockmend fix --refresh --registry-mirror docker.io=...`: the harness serves stand-ins
#      (golang:1.26.8-bookworm from e2e/standins, debian:bookworm-slim from debootstrap), whose
#      digests are not Docker Hub's. The tags stay; only the digests move.
#   3. buildah builds it (cold, --no-cache --pull=always); `go mod download` reaches the Go module
#      proxy from inside the build, as it would on a developer's machine.
#   4. The image: `dockmend version` prints the version go stamped from the commit (the build
#      context is a clone of it, with .git, as a user's checkout is); the user is not root; git is
#      there; no package lists are left; `check` on a mounted directory gives the same findings as
#      the host's dockmend; `fix` as the calling user, and as an unknown uid, rewrites a mounted
#      copy; the re-pinned bases were pulled by digest.
#
# It prints `e2e-image: N passed, N failed` last and exits 1 on a failure. Like the rest of the
# harness it needs root on Debian 12 and skips elsewhere (fails under CI=true or E2E_REQUIRED=1).
# DOCKMEND=PATH uses that binary on the host instead of building ./cmd/dockmend.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# The flow is one function, read whole before it runs: editing this file during a run is safe.
main() {
  require_root_debian
  take_lock
  bash "$E2E_DIR/setup.sh" golang:1.26.8-bookworm

  OUT=$E2E_WORK/image
  IMG=localhost/dockmend-e2e-image:test
  rm -rf "$OUT"; mkdir -p "$OUT/fix"
  if [ -n "${DOCKMEND:-}" ]; then BIN=$DOCKMEND; else
    BIN=$E2E_WORK/bin/dockmend
    (cd "$REPO_ROOT" && go build -o "$BIN" ./cmd/dockmend)
  fi

  pass=0 fail=0
  ok()  { pass=$((pass + 1)); printf '  ok    %s\n' "$1"; }
  bad() { fail=$((fail + 1)); printf '  FAIL  %s\n' "$1"; }
  check() { # check WHAT GOT WANT
    if [ "$2" = "$3" ]; then ok "$1: $2"; else bad "$1: got $2, want $3"; fi
  }

  echo "[e2e-image] the Dockerfile"
  rc=0
  "$BIN" check --offline --lockfile "$REPO_ROOT/docs/examples.lock.yaml" "$REPO_ROOT/Dockerfile" >"$OUT/check-dockerfile.txt" 2>&1 || rc=$?
  check "dockmend check Dockerfile (offline, docs/examples.lock.yaml)" "exit $rc" "exit 0"
  [ $rc = 0 ] || sed 's/^/      /' "$OUT/check-dockerfile.txt"

  # The stand-ins have the harness's own digests: move the pins to them, with dockmend itself.
  cp "$REPO_ROOT/Dockerfile" "$OUT/Dockerfile"
  "$BIN" fix --refresh --registry-mirror "docker.io=$REG_URL" "$OUT/Dockerfile" >"$OUT/refresh.log" 2>&1 \
    || { cat "$OUT/refresh.log" >&2; die "dockmend fix --refresh failed"; }
  (cd "$OUT" && diff -u --label a/Dockerfile --label b/Dockerfile "$REPO_ROOT/Dockerfile" Dockerfile >refresh.diff) || true
  sed 's/^/    /' "$OUT/refresh.diff"
  tags=$(grep -E '^FROM ' "$OUT/Dockerfile" | awk '{print $2}' | sed 's/@sha256:.*//' | paste -sd' ')
  check "tags kept by the re-pin" "$tags" "golang:1.26.8-bookworm debian:bookworm-slim"

  # The build context is a clone of the commit, as a user's checkout is: with .git, so that go
  # stamps the version into the binary. Uncommitted changes are not in it.
  CTX=$OUT/context
  commit=$(git -C "$REPO_ROOT" rev-parse HEAD)
  git clone --quiet --no-checkout --no-hardlinks "$REPO_ROOT" "$CTX"
  git -C "$CTX" -c advice.detachedHead=false checkout --quiet "$commit"
  [ -z "$(git -C "$REPO_ROOT" status --porcelain --untracked-files=no)" ] \
    || info "the work tree has uncommitted changes; the image is built from the commit $commit"
  echo "[e2e-image] buildah build (context: a clone of $commit, .dockerignore applies)"
  rm -rf "$TMPDIR/buildah-cache"
  t=$(now_ns); rc=0
  timeout "${E2E_BUILD_TIMEOUT:-900}" buildah build --no-cache --force-rm --pull=always --http-proxy=false \
    -f "$OUT/Dockerfile" -t "$IMG" "$CTX" >"$OUT/build.log" 2>&1 || rc=$?
  secs=$(secs_since "$t")
  if [ $rc != 0 ]; then
    tail -20 "$OUT/build.log" | sed 's/^/      /'
    bad "build (exit $rc after ${secs}s; log $OUT/build.log)"
    echo "e2e-image: $pass passed, $fail failed"; exit 1
  fi
  ok "build in ${secs}s"
  # every FROM digest of the re-pinned Dockerfile was pulled by that digest
  while read -r ref; do
    d=${ref##*@}
    if grep -q "\"GET /v2/[^ ]*/manifests/$d HTTP/1.1\" 200 " "$E2E_WORK/logs/registry.log"; then ok "pulled by digest: $ref"
    else bad "not pulled by digest: $ref"; fi
  done < <(grep -E '^FROM ' "$OUT/Dockerfile" | awk '{print $2}')

  echo "[e2e-image] the image"
  size=$(podman image inspect --format '{{.Size}}' "$IMG")
  # pushed to the loopback registry: the digest a registry gives it, and the compressed size
  buildah push --quiet --digestfile "$OUT/push.digest" "$IMG" "docker://$REG/dockmend-e2e/dockmend:test" >/dev/null
  gz=$(curl -fsS -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$REG_URL/v2/dockmend-e2e/dockmend/manifests/$(cat "$OUT/push.digest")" | jq '[.layers[].size] | add')
  echo "    $((size / 1000000)) MB uncompressed, $((gz / 1000000)) MB compressed, $(podman image inspect --format '{{len .RootFS.Layers}}' "$IMG") layers; pushed as $REG/dockmend-e2e/dockmend:test@$(cat "$OUT/push.digest")"
  run() { podman run --rm --pull=never --network none "$@"; }

  v=$(run "$IMG" version 2>&1) || true
  # stamped by go from the clone's git: a tag or a pseudo-version, with the commit, not modified
  case $v in
    "dockmend v"*"(${commit:0:12}, "*modified*) bad "dockmend version says modified: $v" ;;
    "dockmend v"*"(${commit:0:12}, "*) ok "dockmend version: $v" ;;
    *) bad "dockmend version printed: $v (want the version of ${commit:0:12})" ;;
  esac
  check "user" "$(run --entrypoint id "$IMG" -un 2>&1) $(run --entrypoint id "$IMG" -u 2>&1)" "dockmend 10001"
  check "git in the image" "$(run --entrypoint git "$IMG" --version 2>&1 | cut -d' ' -f1-2)" "git version"
  check "package lists left" "$(run --entrypoint sh "$IMG" -c 'find /var/lib/apt/lists -type f | wc -l' 2>&1)" "0"

  # check on a mounted directory (read-only), as the README shows it: the image's dockmend finds
  # what the host's finds
  ex=$REPO_ROOT/testdata/examples
  rc=0; "$BIN" check --offline --lockfile "$ex/dockmend.lock" "$ex" >"$OUT/check-host.txt" 2>&1 || rc=$?
  want="exit $rc: $(tail -1 "$OUT/check-host.txt")"
  rc=0; run -v "$ex:/src:ro" "$IMG" check --offline --lockfile /src/dockmend.lock /src >"$OUT/check-image.txt" 2>&1 || rc=$?
  check "docker run -v \"\$PWD:/src\" IMAGE check /src (testdata/examples)" "exit $rc: $(tail -1 "$OUT/check-image.txt")" "$want"
  rc=0; run -v "$REPO_ROOT:/src:ro" "$IMG" check --offline --lockfile /src/docs/examples.lock.yaml /src/Dockerfile >"$OUT/check-self.txt" 2>&1 || rc=$?
  check "the image checks its own Dockerfile" "exit $rc" "exit 0"
  # the default command is `check .` in /src
  mkdir -p "$OUT/scratch"; printf 'FROM scratch\nCOPY hello /hello\nCMD ["/hello"]\n' >"$OUT/scratch/Dockerfile"
  rc=0; run -v "$OUT/scratch:/src:ro" "$IMG" >"$OUT/check-default.txt" 2>&1 || rc=$?
  check "default command (check . in /src)" "exit $rc: $(tail -1 "$OUT/check-default.txt")" "exit 0: no findings in 1 file"

  # fix on a mounted copy, as the calling user (the README's --user "$(id -u):$(id -g)")
  cp -R "$ex/." "$OUT/fix/"
  rc=0; run --user "$(id -u):$(id -g)" -v "$OUT/fix:/src" "$IMG" fix --offline --lockfile /src/dockmend.lock /src >"$OUT/fix.log" 2>&1 || rc=$?
  check "fix as the calling user" "exit $rc, $(grep -c '@sha256:' "$OUT"/fix/*/Dockerfile | awk -F: '{s += $2} END {print s}') pins" "exit 0, 5 pins"
  # and as a user the image does not know, on files that user owns: they stay theirs
  mkdir -p "$OUT/fix-uid"; cp -R "$ex/." "$OUT/fix-uid/"; chown -R 12345:12345 "$OUT/fix-uid"
  rc=0; run --user 12345:12345 -v "$OUT/fix-uid:/src" "$IMG" fix --offline --lockfile /src/dockmend.lock /src >"$OUT/fix-uid.log" 2>&1 || rc=$?
  check "fix as uid 12345" "exit $rc, $(grep -c '@sha256:' "$OUT"/fix-uid/*/Dockerfile | awk -F: '{s += $2} END {print s}') pins, owners $(stat -c %u:%g "$OUT"/fix-uid/*/Dockerfile | sort -u | paste -sd' ')" "exit 0, 5 pins, owners 12345:12345"
  rc=0; "$BIN" check --offline --lockfile "$OUT/fix/dockmend.lock" "$OUT/fix" >"$OUT/check-after-fix.txt" 2>&1 || rc=$?
  check "check after fix (only the unsafe fixes are left)" "$(tail -1 "$OUT/check-after-fix.txt")" "2 findings, 2 more with --unsafe-fixes"

  [ "${E2E_KEEP_IMAGES:-0}" = 1 ] || { buildah rmi -f "$IMG" >/dev/null 2>&1 || true; buildah rmi --prune >/dev/null 2>&1 || true; }
  echo "e2e-image: $pass passed, $fail failed"
  [ "$fail" = 0 ]
}

main "$@"
