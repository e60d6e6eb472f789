#!/usr/bin/env bash
# e2e/run.sh - build every fixture before and after `dockmend fix`, run its smoke test in both
# images, measure them, and write a Markdown and a JSON report.
#
#   bash e2e/run.sh                      all fixtures under testdata/e2e/
#   bash e2e/run.sh c-make apt-runs      only these (or FIXTURES="c-make apt-runs")
#
# For each fixture testdata/e2e/NAME/ (app source, Dockerfile, smoke, expected, fixture.conf):
#   1. copy the app into run/NAME/original and run/NAME/fixed (without the harness files)
#   2. dockmend check --format json on the original; dockmend fix [--unsafe-fixes]
#      --registry-mirror docker.io=<loopback registry> on fixed/Dockerfile; check again
#   3. buildah build --no-cache --pull=always of both, one at a time (build time)
#   4. smoke: podman run IMAGE <args from `smoke`>; every line of `expected` must occur in the output
#   5. dockmend verify --compare ORIGINAL,REWRITTEN (nothing is built): verify's checks of the
#      rewritten image (configuration, the files the original's steps made, their libraries and
#      interpreters) and both images' uncompressed and compressed sizes and layer counts
#   6. a base that dockmend pinned must have been pulled by digest (registry access log)
#
# Exit status: 0 when every fixture passed; 1 when a rewritten fixture failed to build, its
# smoke test or dockmend verify's checks failed while the original passed, dockmend fix failed, a
# pin was missing or not pulled by digest, or an original fixture itself failed (a broken fixture).
#
# Environment:
#   DOCKMEND=PATH          the dockmend binary (default: go build ./cmd/dockmend into the work dir)
#   E2E_DOCKMEND_REV=REV   build dockmend from this git revision (git archive), not the work tree,
#                          and take the fixtures from that revision too
#   FIXTURES="a b"         fixtures to run when no arguments are given (default: all)
#   E2E_WORK=DIR           work directory (default /var/tmp/dockmend-e2e)
#   E2E_REPORT_DIR=DIR     where e2e-results.md/.json go (default $E2E_WORK/report)
#   E2E_REQUIRE_PIN=0      do not fail when dockmend leaves `FROM debian:bookworm` unpinned
#   E2E_KEEP_IMAGES=1      keep the built images (default: removed after each fixture)
#   E2E_BUILD_TIMEOUT=900  seconds per build; E2E_SMOKE_TIMEOUT=120 per smoke run;
#                          E2E_VERIFY_TIMEOUT=900 per dockmend verify --compare
#   E2E_VERIFY_DOCKMEND=PATH  the dockmend that runs verify --compare (default: the one under test
#                          when it has it, else one built from the work tree)
set -euo pipefail
. "$(dirname "$0")/lib.sh"

# ------------------------------------------------------------------ functions
# from_images DOCKERFILE: the images its FROM lines name (not stages, not scratch), one a line
from_images() {
  tr -d '\r' < "$1" | awk '
    toupper($1) == "FROM" {
      i = 2; while ($i ~ /^--/) i++
      img = $i; name = ""
      if (toupper($(i+1)) == "AS") stages[tolower($(i+2))] = 1
      if (img == "" || tolower(img) == "scratch" || (tolower(img) in stages)) next
      print img
    }'
}

# conf_get FILE KEY DEFAULT: a key=value from fixture.conf (not sourced: values are data)
conf_get() {
  local v
  v=$(sed -n "s/^[[:space:]]*$2[[:space:]]*=[[:space:]]*//p" "$1" 2>/dev/null | tail -1 | sed 's/[[:space:]]*#.*$//; s/^"\(.*\)"$/\1/')
  printf '%s' "${v:-$3}"
}

# build VARIANT: build run/FX/VARIANT into localhost/dockmend-e2e-fx-FX:VARIANT; sets B_OK, B_SECS
# (sizes and layer counts come from `dockmend verify --compare`, see compare_images)
build() {
  local v=$1 t rc=0 img=localhost/dockmend-e2e-fx-$fx:$1
  # cold builds: no layer cache (--no-cache) and empty RUN --mount=type=cache folders
  rm -rf "$TMPDIR/buildah-cache"
  t=$(now_ns)
  timeout "${E2E_BUILD_TIMEOUT:-900}" buildah build --no-cache --force-rm --pull=always --http-proxy=false \
    -f "$RD/$v/Dockerfile" -t "$img" "$RD/$v" >"$RD/build-$v.log" 2>&1 || rc=$?
  B_SECS=$(secs_since "$t"); B_OK=false
  if [ $rc = 0 ]; then
    B_OK=true
  else
    info "  $v: build FAILED (rc=$rc) after ${B_SECS}s; last lines of $RD/build-$v.log:"
    tail -8 "$RD/build-$v.log" | sed 's/^/      /' >&2
  fi
}

# smoke VARIANT: run the smoke command; sets S_RESULT to pass|fail|skipped
smoke() {
  local v=$1 img=localhost/dockmend-e2e-fx-$fx:$1 out rc=0 line
  S_RESULT=skipped; S_MISSING=()
  [ "$B_OK" = true ] || return 0
  local -a args=()
  [ -s "$FD/smoke" ] && eval "args=($(grep -v '^#' "$FD/smoke" | head -1))"
  out=$(timeout "${E2E_SMOKE_TIMEOUT:-120}" podman run --rm --pull=never --network host "$img" "${args[@]}" 2>&1) || rc=$?
  printf '%s\n' "$out" >"$RD/smoke-$v.out"
  S_RESULT=pass
  if [ $rc != 0 ]; then
    S_RESULT=fail; info "  $v: smoke exited $rc"
  fi
  S_MISSING=()
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    if ! grep -qF -- "$line" "$RD/smoke-$v.out"; then
      S_RESULT=fail; S_MISSING+=("$line"); info "  $v: smoke output lacks: $line"
    fi
  done <"$FD/expected"
  if [ $S_RESULT = fail ]; then sed 's/^/      /' "$RD/smoke-$v.out" | tail -8 >&2; fi
}

# compare_images MODE VARIANT: dockmend verify --compare of the original image and the rewritten
# one (nothing is built), as `dockmend verify` compares the images it builds: configuration, the
# files the original's steps made, their libraries and interpreters; and both images' sizes and
# layer counts. Writes run/FX/verify-MODE.json; sets V_STATUS (pass|fail|error|null: not compared)
# and V_FILE (the JSON, or /dev/null).
compare_images() {
  local rc=0
  V_STATUS=null; V_FILE=/dev/null
  [ "$O_OK" = true ] && [ "$f_ok" = true ] || return 0   # f_ok: run_mode's
  timeout "${E2E_VERIFY_TIMEOUT:-900}" "$VERIFY" verify --compare "localhost/dockmend-e2e-fx-$fx:original,localhost/dockmend-e2e-fx-$fx:$2" \
    --builder buildah --format json "$RD/original/Dockerfile" "$RD/$2/Dockerfile" >"$RD/verify-$1.json" 2>"$RD/verify-$1.err" || rc=$?
  case $rc in
    0) V_STATUS=pass; V_FILE=$RD/verify-$1.json ;;
    1) V_STATUS=fail; V_FILE=$RD/verify-$1.json
       jq -r '.reasons[]' "$V_FILE" | head -5 | while IFS= read -r r; do info "  verify: $r"; done ;;
    *) V_STATUS=error; info "  dockmend verify --compare exited $rc:"; tail -3 "$RD/verify-$1.err" | sed 's/^/      /' >&2 ;;
  esac
}

# findings_json FILE: dockmend check output as a JSON array (or null if it was not JSON)
findings_json() { jq -c 'if type == "array" then . else (.findings // null) end' "$1" 2>/dev/null || echo null; }

# ------------------------------------------------------------------ package lists in layers
# base_layers DOCKERFILE: the diff IDs of the layers of the images the Dockerfile starts FROM
# (they are in local storage after a build), one a line
base_layers() {
  local img
  while read -r img; do
    podman image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$img" 2>/dev/null || true
  done < <(from_images "$1") | sed '/^$/d' | sort -u
}

# lists_check IMAGE DOCKERFILE OUT: the files under /var/lib/apt/lists that the image's own layers
# (not those of the images it starts FROM) hold and the base layers do not, as "layer size path"
# lines in OUT; sets L_FILES (count) and L_BYTES (their size). Whiteouts, directories and apt's
# empty lock file (which apt-get clean and install create again) do not count. L_FILES=null when
# the image cannot be saved.
lists_check() {
  local img=$1 df=$2 out=$3 dir tar i=0 id
  L_FILES=null; L_BYTES=null
  dir=$(mktemp -d "$TMPDIR/layers.XXXXXX")
  tar=$dir/image.tar
  if ! podman save --quiet --format docker-archive -o "$tar" "$img" >/dev/null 2>&1; then
    rm -rf "$dir"; return 0
  fi
  local base; base=$(base_layers "$df")
  local -a ids; mapfile -t ids < <(podman image inspect --format '{{range .RootFS.Layers}}{{println .}}{{end}}' "$img" | sed '/^$/d')
  : >"$dir/base-files"
  : >"$out"
  local layer
  while read -r layer; do
    id=${ids[$i]:-}; i=$((i + 1))
    # tar -tv: "-rw-r--r-- root/root  12345 2024-01-01 00:00 var/lib/apt/lists/x"
    tar -xOf "$tar" "$layer" | tar -tvf - 2>/dev/null \
      | awk -v n="$i" '$1 !~ /^d/ && $6 ~ /^\.?\/?var\/lib\/apt\/lists\// && $6 !~ /\/\.wh\./ && !($6 ~ /\/lists\/lock$/ && $3 == 0) { p = $6; sub(/^\.?\//, "", p); print n, $3, p }' \
      >"$dir/layer-files" || true
    if [ -n "$id" ] && grep -qxF "$id" <<<"$base"; then
      awk '{print $3}' "$dir/layer-files" >>"$dir/base-files"
    else
      awk 'FILENAME == ARGV[1] { seen[$1] = 1; next } !($3 in seen)' "$dir/base-files" "$dir/layer-files" >>"$out"
    fi
  done < <(tar -xOf "$tar" manifest.json | jq -r '.[0].Layers[]')
  L_FILES=$(wc -l <"$out")
  L_BYTES=$(awk '{s += $2} END {print s + 0}' "$out")
  rm -rf "$dir"
}

# ------------------------------------------------------------------ one fixture
# fix_flags MODE: the dockmend fix flags of a fix mode
fix_flags() {
  case $1 in
    safe) ;;
    unsafe) echo --unsafe-fixes ;;
    unsafe-no-multistage) echo --unsafe-fixes --ignore multistage ;;
    *) return 1 ;;
  esac
}

run_fixture() {
  fx=$1; FD=$FIXTURE_ROOT/$fx; RD=$E2E_WORK/run/$fx
  local unsafe desc modes mode
  unsafe=$(conf_get "$FD/fixture.conf" unsafe_fixes no)
  desc=$(conf_get "$FD/fixture.conf" description "")
  modes=${E2E_FIX_MODES:-$(conf_get "$FD/fixture.conf" fix_modes "$([ "$unsafe" = yes ] && echo unsafe || echo safe)")}
  for mode in $modes; do
    fix_flags "$mode" >/dev/null || die "$fx: unknown fix mode '$mode' (safe, unsafe, unsafe-no-multistage)"
  done
  info "── $fx${desc:+: $desc} [fix modes: $modes]"
  rm -rf "$RD"; mkdir -p "$RD/original"
  tar -C "$FD" --exclude=./fixture.conf --exclude=./smoke --exclude=./expected -cf - . | tar -C "$RD/original" -xf -

  # the original: findings, build, smoke, package lists, once for every mode
  local check_rc=0
  "$DOCKMEND" check --format json "${CHECK_MIRROR[@]}" "$RD/original/Dockerfile" >"$RD/check-original.json" 2>"$RD/check-original.err" || check_rc=$?
  if [ $check_rc -gt 1 ]; then info "  dockmend check exited $check_rc:"; sed 's/^/      /' "$RD/check-original.err" | tail -3 >&2; fi
  build original; O_OK=$B_OK O_SECS=$B_SECS
  smoke original; O_SMOKE=$S_RESULT
  O_LFILES=null; O_LBYTES=null
  if [ "$O_OK" = true ]; then
    lists_check "localhost/dockmend-e2e-fx-$fx:original" "$RD/original/Dockerfile" "$RD/lists-original.txt"
    O_LFILES=$L_FILES O_LBYTES=$L_BYTES
  fi
  for mode in $modes; do run_mode "$mode"; done
  if [ "${E2E_KEEP_IMAGES:-0}" != 1 ]; then
    buildah rmi -f "localhost/dockmend-e2e-fx-$fx:original" >/dev/null 2>&1 || true
    buildah rmi --prune >/dev/null 2>&1 || true
  fi
}

# run_mode MODE: fix a copy of the original with MODE's flags, build it, smoke-test and measure it,
# and write run/FX/result-MODE.json
run_mode() {
  local mode=$1 v=fixed-$1 fix_rc=0 desc unsafe=false
  local -a fixflags; read -r -a fixflags <<<"$(fix_flags "$mode")"
  [ "$mode" = safe ] || unsafe=true
  desc=$(conf_get "$FD/fixture.conf" description "")
  info "  fix mode $mode: dockmend fix ${fixflags[*]}"
  rm -rf "${RD:?}/$v"; cp -a "$RD/original" "$RD/$v"
  "$DOCKMEND" fix "${fixflags[@]}" "${MIRROR[@]}" "$RD/$v/Dockerfile" >"$RD/fix-$mode.log" 2>&1 || fix_rc=$?
  "$DOCKMEND" check --format json "${CHECK_MIRROR[@]}" "$RD/$v/Dockerfile" >"$RD/check-$v.json" 2>"$RD/check-$v.err" || true
  (cd "$RD" && diff -u --label a/Dockerfile --label b/Dockerfile original/Dockerfile "$v/Dockerfile" >"Dockerfile-$mode.diff") || true
  if [ $fix_rc != 0 ]; then info "  dockmend fix exited $fix_rc:"; sed 's/^/      /' "$RD/fix-$mode.log" | tail -5 >&2; fi
  local before after
  before=$(findings_json "$RD/check-original.json"); after=$(findings_json "$RD/check-$v.json")

  local logsize; logsize=$(stat -c %s "$E2E_WORK/logs/registry.log")
  build "$v"; local f_ok=$B_OK f_secs=$B_SECS
  tail -c +$((logsize + 1)) "$E2E_WORK/logs/registry.log" | grep -E '^[0-9.]+ - - ' >"$RD/registry-access-$v.log" || true
  smoke "$v"; local f_smoke=$S_RESULT f_missing=("${S_MISSING[@]}")
  local f_lfiles=null f_lbytes=null
  if [ "$f_ok" = true ]; then
    lists_check "localhost/dockmend-e2e-fx-$fx:$v" "$RD/$v/Dockerfile" "$RD/lists-$v.txt"
    f_lfiles=$L_FILES f_lbytes=$L_BYTES
  fi
  compare_images "$mode" "$v"

  # pinning: every image the fixed Dockerfile names by digest must have been pulled by digest
  local pinnable pinned=0 pulled=0 pin d
  pinnable=$(from_images "$RD/original/Dockerfile" | grep -vc '@sha256:' || true)
  while read -r img; do
    case $img in *@sha256:*) ;; *) continue ;; esac
    pinned=$((pinned + 1)); d=${img##*@}
    grep -q "\"GET /v2/[^ ]*/manifests/$d HTTP/1.1\" 200 " "$RD/registry-access-$v.log" && pulled=$((pulled + 1))
  done < <(from_images "$RD/$v/Dockerfile")
  if [ "$pinned" -gt 0 ] && [ "$f_ok" = true ]; then
    if [ $pulled = "$pinned" ]; then pin=pulled-by-digest; else pin=not-pulled-by-digest; fi
  elif [ "$pinned" -gt 0 ]; then pin=pinned-not-built
  elif [ "$pinnable" -gt 0 ]; then pin=unpinned
  else pin=n/a
  fi

  # verdict
  local status=pass reasons=()
  if [ "$O_OK" != true ] || [ "$O_SMOKE" != pass ]; then
    status=broken; reasons+=("the original fixture fails (build=$O_OK smoke=$O_SMOKE): fix the fixture or the environment")
  fi
  [ $fix_rc = 0 ] || { status=fail; reasons+=("dockmend fix exited $fix_rc"); }
  if [ "$O_OK" = true ] && [ "$O_SMOKE" = pass ]; then
    [ "$f_ok" = true ] || { status=fail; reasons+=("the rewritten Dockerfile does not build"); }
    if [ "$f_ok" = true ] && [ "$f_smoke" != pass ]; then
      status=fail
      reasons+=("the rewritten image fails its smoke test$([ ${#f_missing[@]} -gt 0 ] && printf ' (output lacks: %s)' "$(printf '"%s" ' "${f_missing[@]}" | sed 's/ $//')")")
    fi
  fi
  case $V_STATUS in
    fail) status=fail; reasons+=("dockmend verify: $(jq -r '.reasons | join("; ")' "$V_FILE")") ;;
    error) status=fail; reasons+=("dockmend verify --compare could not compare the images (see run/$fx/verify-$mode.err)") ;;
  esac
  [ "$pin" = not-pulled-by-digest ] && { status=fail; reasons+=("pinned FROM was not pulled by digest"); }
  if [ "$pin" = unpinned ] && [ "$REQUIRE_PIN" = 1 ]; then status=fail; reasons+=("dockmend left the base image unpinned"); fi
  # lists_may_remain: "yes" (any mode), or the fix modes in which lists may stay by design (the safe
  # fix leaves them when a later RUN runs a script that may need them; the unsafe one removes them)
  local may_remain
  may_remain=" $(conf_get "$FD/fixture.conf" lists_may_remain no) "
  if [ "$f_lfiles" != null ] && [ "$f_lfiles" -gt 0 ] && [ "$may_remain" != " yes " ] && [[ $may_remain != *" $mode "* ]]; then
    status=fail; reasons+=("$f_lfiles files under /var/lib/apt/lists ($f_lbytes bytes) stay in the rewritten image's layers (see run/$fx/lists-$v.txt)")
  fi

  jq -n \
    --arg fixture "$fx" --arg description "$desc" --argjson unsafe "$unsafe" --arg mode "$mode" --arg flags "${fixflags[*]}" \
    --argjson fix_exit "$fix_rc" --argjson before "$before" --argjson after "$after" \
    --rawfile diff "$RD/Dockerfile-$mode.diff" --arg pin "$pin" --arg status "$status" \
    --argjson o_ok "$O_OK" --argjson o_secs "$O_SECS" --arg o_smoke "$O_SMOKE" \
    --argjson o_lfiles "$O_LFILES" --argjson o_lbytes "$O_LBYTES" \
    --argjson f_ok "$f_ok" --argjson f_secs "$f_secs" --arg f_smoke "$f_smoke" \
    --argjson f_lfiles "$f_lfiles" --argjson f_lbytes "$f_lbytes" \
    --arg v_status "$V_STATUS" --slurpfile verify "$V_FILE" \
    '
    def pct($a; $b): if ($a == null or $b == null or $a == 0) then null
                     else ((($b - $a) * 1000 / $a) | round / 10) end;
    ($verify[0] // null) as $v |
    ($v.original.size_bytes) as $o_size | ($v.original.compressed_bytes) as $o_gz | ($v.original.layers) as $o_layers |
    ($v.rewritten.size_bytes) as $f_size | ($v.rewritten.compressed_bytes) as $f_gz | ($v.rewritten.layers) as $f_layers |
    def rules($f): if $f == null then null else ([$f[].rule] | group_by(.) | map({key: .[0], value: length}) | from_entries) end;
    (rules($before)) as $rb | (rules($after)) as $ra |
    {
      fixture: $fixture, description: $description, status: $status,
      reasons: $ARGS.positional,
      mode: $mode, fix_flags: $flags,
      unsafe_fixes: $unsafe, dockmend_fix_exit: $fix_exit,
      rules_applied: (if $rb == null then null
                      else [$rb | to_entries[] | select(.value > (($ra // {})[.key] // 0)) | .key] end),
      findings_before: (if $before == null then null else ($before | length) end),
      findings_after: (if $after == null then null else ($after | length) end),
      findings_before_by_rule: $rb, findings_after_by_rule: $ra,
      changed: ($diff != ""),
      pin: $pin,
      original: {built: $o_ok, smoke: $o_smoke, build_seconds: $o_secs, size_bytes: $o_size, compressed_bytes: $o_gz, layers: $o_layers,
                 apt_lists_files: $o_lfiles, apt_lists_bytes: $o_lbytes},
      fixed:    {built: $f_ok, smoke: $f_smoke, build_seconds: $f_secs, size_bytes: $f_size, compressed_bytes: $f_gz, layers: $f_layers,
                 apt_lists_files: $f_lfiles, apt_lists_bytes: $f_lbytes},
      size_change_pct: pct($o_size; $f_size),
      compressed_change_pct: pct($o_gz; $f_gz),
      size_saved_bytes: (if $o_size == null or $f_size == null then null else $o_size - $f_size end),
      verify: (if $v_status == "null" then null else
               {status: $v_status, reasons: ($v.reasons // []), files_compared: $v.files_compared,
                dependencies_checked: $v.dependencies_checked,
                expected_differences: ([$v.differences[]? | select(.expected != null)] | length),
                seconds: $v.seconds} end),
      diff: $diff
    }' --args "${reasons[@]}" >"$RD/result-$mode.json"

  info "  $(jq -r '"\(.mode): \(.status): built \(.original.built)/\(.fixed.built), smoke \(.original.smoke)/\(.fixed.smoke), verify \(.verify.status // "-"), size \(.original.size_bytes // "-") -> \(.fixed.size_bytes // "-") (\(.size_change_pct // "-")%), apt lists \(.original.apt_lists_bytes // "-") -> \(.fixed.apt_lists_bytes // "-") bytes, pin \(.pin), rules \(.rules_applied // [] | join(","))"' "$RD/result-$mode.json")"
  for r in "${reasons[@]}"; do info "  ! $r"; done

  if [ "${E2E_KEEP_IMAGES:-0}" != 1 ]; then
    buildah rmi -f "localhost/dockmend-e2e-fx-$fx:$v" >/dev/null 2>&1 || true
  fi
}

# ------------------------------------------------------------------ main
# The flow is one function, read whole before it runs: editing run.sh during a run is safe.
main() {
  require_root_debian
  T0=$(now_ns)
  take_lock

  # A committed revision (E2E_DOCKMEND_REV) gives both dockmend and the fixtures, not the work
  # tree, which others may be editing.
  local src=$REPO_ROOT
  DM_COMMIT=$(git -C "$REPO_ROOT" describe --always --dirty 2>/dev/null || echo unknown)
  if [ -n "${E2E_DOCKMEND_REV:-}" ] && [ -z "${DOCKMEND:-}" ]; then
    DM_COMMIT=$(git -C "$REPO_ROOT" rev-parse --short "$E2E_DOCKMEND_REV") || die "no revision $E2E_DOCKMEND_REV"
    src=$E2E_WORK/src; rm -rf "$src"; mkdir -p "$src"
    git -C "$REPO_ROOT" archive "$E2E_DOCKMEND_REV" | tar -C "$src" -xf -
    [ -n "${E2E_FIXTURES_DIR:-}" ] || FIXTURE_ROOT=$src/testdata/e2e
  fi

  # ------------------------------------------------------------------ fixtures
  if [ $# -gt 0 ]; then sel=("$@"); else read -r -a sel <<<"${FIXTURES:-}"; fi
  if [ ${#sel[@]} = 0 ]; then
    for d in "$FIXTURE_ROOT"/*/; do [ -f "$d/Dockerfile" ] && sel+=("$(basename "$d")"); done
    ALL=1
  else
    ALL=0
  fi
  [ ${#sel[@]} -gt 0 ] || die "no fixtures found under $FIXTURE_ROOT"
  for fx in "${sel[@]}"; do
    [ -f "$FIXTURE_ROOT/$fx/Dockerfile" ] || die "no fixture $fx (expected $FIXTURE_ROOT/$fx/Dockerfile)"
  done

  # the Docker Hub references the selected fixtures start FROM, without digests: setup builds
  # the stand-ins they need (golang:1.19-bookworm ...) and pushes them to the loopback registry
  refs=()
  for fx in "${sel[@]}"; do
    while read -r img; do
      case $img in *'$'*|*.*/*|*:*/*|localhost/*) continue ;; esac   # ARGs, other registries
      refs+=("${img%%@*}")
    done < <(from_images "$FIXTURE_ROOT/$fx/Dockerfile")
  done
  # setup skips (exit 77 here) on a machine that cannot install the packages, unless CI=true
  rc=0; E2E_SKIP_CODE=77 bash "$E2E_DIR/setup.sh" $(printf '%s\n' "${refs[@]}" | sort -u) || rc=$?
  [ $rc = 77 ] && exit 0
  [ $rc = 0 ] || die "setup failed (rc=$rc)"
  BASE_DIGEST=$(cat "$E2E_WORK/state/base.digest")

  # Images that runs before dockmend verify --compare pushed (for compressed sizes) are garbage:
  # drop them and collect. Runs no longer push anything there.
  if [ -d "$E2E_WORK/registry/docker/registry/v2/repositories/dockmend-e2e" ]; then
    stop_registry
    rm -rf "$E2E_WORK/registry/docker/registry/v2/repositories/dockmend-e2e"
    docker-registry garbage-collect "$E2E_WORK/conf/registry.yml" >>"$E2E_WORK/logs/registry-gc.log" 2>&1 \
      || info "registry garbage-collect failed (see $E2E_WORK/logs/registry-gc.log); continuing"
    bash "$E2E_DIR/setup.sh" >/dev/null 2>&1 || bash "$E2E_DIR/setup.sh"
  fi

  # ------------------------------------------------------------------ dockmend
  if [ -z "${DOCKMEND:-}" ]; then
    [ -d "$src/cmd/dockmend" ] \
      || die "no cmd/dockmend in $src: set DOCKMEND=/path/to/dockmend (DOCKMEND=e2e/noop-dockmend E2E_REQUIRE_PIN=0 tests the harness alone)"
    command -v go >/dev/null || die "go is not on PATH: build dockmend yourself and set DOCKMEND"
    info "building dockmend $DM_COMMIT (go build ./cmd/dockmend)"
    (cd "$src" && go build -o "$E2E_WORK/bin/dockmend" ./cmd/dockmend) || die "go build ./cmd/dockmend failed"
    DOCKMEND=$E2E_WORK/bin/dockmend
  else
    DM_COMMIT="unknown (DOCKMEND=$DOCKMEND)"
  fi
  case $DOCKMEND in /*) ;; *) DOCKMEND=$PWD/$DOCKMEND ;; esac
  [ -x "$DOCKMEND" ] || die "DOCKMEND=$DOCKMEND is not an executable file"
  DM_VERSION=$({ "$DOCKMEND" --version 2>/dev/null || "$DOCKMEND" version 2>/dev/null || true; } | head -1)
  MIRROR=(--registry-mirror "docker.io=$REG_URL")
  CHECK_MIRROR=()
  # has_flag BIN CMD FLAG: the help is read whole first; grep -q stopping early would make the
  # writer fail with SIGPIPE, and pipefail would report the flag missing
  has_flag() { local help; help=$("$1" "$2" --help 2>&1) || true; grep -q -- "$3" <<<"$help"; }
  has_flag "$DOCKMEND" check --registry-mirror && CHECK_MIRROR=("${MIRROR[@]}")
  # The dockmend that compares and measures the images (verify --compare): the one under test,
  # or, when it has no verify --compare (an older revision, noop-dockmend), the work tree's.
  VERIFY=${E2E_VERIFY_DOCKMEND:-}
  if [ -z "$VERIFY" ] && has_flag "$DOCKMEND" verify --compare; then VERIFY=$DOCKMEND; fi
  if [ -z "$VERIFY" ]; then
    command -v go >/dev/null || die "$DOCKMEND has no verify --compare and go is not on PATH: set E2E_VERIFY_DOCKMEND"
    info "$DOCKMEND has no verify --compare: building the work tree's dockmend to compare the images"
    (cd "$REPO_ROOT" && go build -o "$E2E_WORK/bin/dockmend-verify" ./cmd/dockmend) || die "go build ./cmd/dockmend (for verify --compare) failed"
    VERIFY=$E2E_WORK/bin/dockmend-verify
  fi
  case $VERIFY in /*) ;; *) VERIFY=$PWD/$VERIFY ;; esac
  has_flag "$VERIFY" verify --compare || die "E2E_VERIFY_DOCKMEND=$VERIFY has no verify --compare"
  REQUIRE_PIN=${E2E_REQUIRE_PIN:-1}
  info "dockmend: $DOCKMEND (${DM_VERSION:-no version output}; source $DM_COMMIT)"
  [ "$VERIFY" = "$DOCKMEND" ] || info "images compared by: $VERIFY verify --compare"

  # ------------------------------------------------------------------ main loop and report
  info "fixtures: ${sel[*]}"
  for fx in "${sel[@]}"; do run_fixture "$fx"; done

  OUT=${E2E_REPORT_DIR:-$E2E_WORK/report}
  case $OUT in /*) ;; *) OUT=$PWD/$OUT ;; esac
  mkdir -p "$OUT"
  jq -n \
    --arg date "$(date -u +%Y-%m-%dT%H:%M:%SZ)" --arg dm_version "$DM_VERSION" --arg dm_tree "$DM_COMMIT" \
    --arg buildah "$(buildah --version | awk '{print $3}')" --arg podman "$(podman --version | awk '{print $3}')" \
    --arg base_digest "$BASE_DIGEST" --arg cores "$(nproc)" --argjson all "$([ $ALL = 1 ] && echo true || echo false)" \
    --arg total "$(secs_since "$T0")" --arg kernel "$(uname -r)" --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" \
    '{
       generated_by: "e2e/run.sh", date: $date, full_set: $all,
       dockmend: {version: $dm_version, tree: $dm_tree},
       builder: {buildah: $buildah, podman: $podman, flags: "--isolation chroot --layers --format docker --no-cache --pull=always"},
       base: {image: "debian:bookworm (debootstrap --variant=minbase + the official image apt settings)", digest: $base_digest},
       machine: {cores: ($cores | tonumber), kernel: $kernel, load_average: $load},
       total_seconds: ($total | tonumber),
       fixtures: [inputs]
     }' $(for fx in "${sel[@]}"; do ls "$E2E_WORK/run/$fx"/result-*.json 2>/dev/null; done) >"$OUT/e2e-results.json"
  bash "$E2E_DIR/report.sh" "$OUT/e2e-results.json" >"$OUT/e2e-results.md"
  info "report: $OUT/e2e-results.md and $OUT/e2e-results.json"
  sed -n '/^| fixture/,/^$/p' "$OUT/e2e-results.md"

  failed=$(jq -r '[.fixtures[] | select(.status != "pass") | "\(.fixture) \(.mode // "") (\(.status))"] | join(", ")' "$OUT/e2e-results.json")
  total=$(jq '.fixtures | length' "$OUT/e2e-results.json")
  nfail=$(jq '[.fixtures[] | select(.status != "pass")] | length' "$OUT/e2e-results.json")
  info "e2e done in $(secs_since "$T0")s"
  echo "e2e: $((total - nfail)) passed, $nfail failed"
  if [ "$nfail" != 0 ]; then info "FAILED: $failed"; exit 1; fi
}

main "$@"
