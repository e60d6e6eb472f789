#!/usr/bin/env bash
# scripts/action.sh STEP: the steps of the GitHub Action (action.yml), kept here so that they
# can be read, and tested, as a script (internal/projectfiles runs them outside GitHub).
#
#   install  put dockmend on PATH: build the action's own commit ($GITHUB_ACTION_PATH) with Go,
#            or, with DOCKMEND_VERSION=vX.Y.Z, download that release's binary for the runner from
#            https://github.com/$DOCKMEND_REPOSITORY/releases and check it against SHA256SUMS
#   run      run `dockmend check` (SARIF to INPUT_SARIF_FILE when INPUT_UPLOAD_SARIF is true, and
#            the findings in the log; otherwise GitHub annotations, --format github) or
#            `dockmend fix`, from the INPUT_* variables; record
#            exit-code, changed and sarif-file in $GITHUB_OUTPUT. Findings do not fail this
#            step, so that the SARIF is uploaded first; `finish` fails the job.
#   finish   exit with dockmend's exit status ($EXIT_CODE)
#
# Inputs arrive in environment variables, never spliced into the script, so a value cannot
# run as shell code.
set -euo pipefail

die() { printf '::error title=dockmend action::%s\n' "$*"; exit 2; }

# is_true NAME VALUE: whether VALUE is true; neither true nor false is an error naming the input
is_true() {
  case $2 in true) return 0 ;; false) return 1 ;; *) die "input $1 must be true or false, not \"$2\"" ;; esac
}

install() {
  local bin=${RUNNER_TEMP:-${TMPDIR:-/tmp}}/dockmend-bin exe= os arch
  mkdir -p "$bin"
  case ${RUNNER_OS:-Linux} in
    Linux) os=linux ;; macOS) os=darwin ;; Windows) os=windows; exe=.exe ;;
    *) die "no dockmend build for the runner OS ${RUNNER_OS:-}" ;;
  esac
  case ${RUNNER_ARCH:-X64} in
    X64) arch=amd64 ;; ARM64) arch=arm64 ;;
    *) die "no dockmend build for the runner architecture ${RUNNER_ARCH:-}" ;;
  esac
  if [ -z "${DOCKMEND_VERSION:-}" ]; then
    [ -f "${GITHUB_ACTION_PATH:?}/go.mod" ] || die "no go.mod in $GITHUB_ACTION_PATH"
    echo "building dockmend from the action's commit ($GITHUB_ACTION_PATH)"
    (cd "$GITHUB_ACTION_PATH" && go build -o "$bin/dockmend$exe" ./cmd/dockmend)
  else
    case $DOCKMEND_VERSION in
      v[0-9]*) ;;
      *) die "input version must be a release tag such as v1.2.3, not \"$DOCKMEND_VERSION\"" ;;
    esac
    # DOCKMEND_RELEASES_URL: another server with the same layout (a mirror, GitHub Enterprise)
    local url=${DOCKMEND_RELEASES_URL:-https://github.com/${DOCKMEND_REPOSITORY:-dockmend/dockmend}/releases/download}/$DOCKMEND_VERSION
    local name=dockmend-$os-$arch$exe tmp
    tmp=$(mktemp -d)
    echo "downloading $url/$name"
    curl -fsSL --retry 3 --max-filesize 209715200 -o "$tmp/$name" "$url/$name"
    curl -fsSL --retry 3 --max-filesize 65536 -o "$tmp/SHA256SUMS" "$url/SHA256SUMS"
    if ! (cd "$tmp" && grep -E "^[0-9a-f]{64}  $name\$" SHA256SUMS | sha256sum -c -); then
      rm -rf "$tmp"
      die "$name does not match the release's SHA256SUMS"
    fi
    mv "$tmp/$name" "$bin/dockmend$exe"
    chmod 0755 "$bin/dockmend$exe"
    rm -rf "$tmp"
  fi
  echo "$bin" >>"${GITHUB_PATH:?}"
  "$bin/dockmend$exe" version
}

run() {
  local cmd=${INPUT_COMMAND:-check} args=() paths=() line rc=0
  case $cmd in check|fix) ;; *) die "input command must be check or fix, not \"$cmd\"" ;; esac
  [ -z "${INPUT_SELECT:-}" ] || args+=(--select "$INPUT_SELECT")
  [ -z "${INPUT_IGNORE:-}" ] || args+=(--ignore "$INPUT_IGNORE")
  if is_true unsafe-fixes "${INPUT_UNSAFE_FIXES:-false}"; then args+=(--unsafe-fixes); fi
  [ -z "${INPUT_LOCKFILE:-}" ] || args+=(--lockfile "$INPUT_LOCKFILE")
  if is_true offline "${INPUT_OFFLINE:-false}"; then args+=(--offline); fi
  [ -z "${INPUT_CONFIG:-}" ] || args+=(--config "$INPUT_CONFIG")
  while IFS= read -r line; do
    line=${line%$'\r'}
    [ -z "${line//[[:space:]]/}" ] || args+=(--registry-mirror "$line")
  done <<<"${INPUT_REGISTRY_MIRRORS:-}"
  while IFS= read -r line; do
    line=${line%$'\r'}
    [ -z "${line//[[:space:]]/}" ] || paths+=("$line")
  done <<<"${INPUT_PATHS:-.}"
  [ ${#paths[@]} -gt 0 ] || paths=(.)
  local refresh=false upload=false
  if is_true refresh "${INPUT_REFRESH:-false}"; then refresh=true; fi
  if is_true upload-sarif "${INPUT_UPLOAD_SARIF:-true}"; then upload=true; fi

  if [ "$cmd" = fix ]; then
    [ "$refresh" = false ] || args+=(--refresh)
    [ -z "${INPUT_FAILURE_THRESHOLD:-}" ] || die "input failure-threshold is for check, not fix"
    echo "dockmend fix ${args[*]} -- ${paths[*]}"
    dockmend fix "${args[@]}" -- "${paths[@]}" || rc=$?
    local changed=false
    if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && [ -n "$(git status --porcelain)" ]; then
      changed=true
      git status --short
    fi
    { echo "exit-code=$rc"; echo "changed=$changed"; echo "sarif-file="; } >>"${GITHUB_OUTPUT:?}"
    return 0
  fi

  [ "$refresh" = false ] || die "input refresh is for fix, not check"
  [ -z "${INPUT_FAILURE_THRESHOLD:-}" ] || args+=(--failure-threshold "$INPUT_FAILURE_THRESHOLD")
  local sarif=
  if [ "$upload" = true ]; then
    sarif=${INPUT_SARIF_FILE:-dockmend.sarif}
    echo "dockmend check --format sarif ${args[*]} -- ${paths[*]} > $sarif"
    dockmend check --format sarif "${args[@]}" -- "${paths[@]}" >"$sarif" || rc=$?
    # the findings in the log too, from the report (one line each, as check --format text
    # prints them), without asking the registries a second time
    if command -v jq >/dev/null 2>&1 && [ -s "$sarif" ]; then
      jq -r '.runs[].results[]? | "\(.locations[0].physicalLocation.artifactLocation.uri):\(.locations[0].physicalLocation.region.startLine):\(.locations[0].physicalLocation.region.startColumn): \(.ruleId)\(if .properties.code then "[\(.properties.code)]" else "" end) \(.properties.level // .level): \(.message.text)"' "$sarif" || true
    fi
  else
    # without code scanning, the findings become annotations on the pull request
    echo "dockmend check --format github ${args[*]} -- ${paths[*]}"
    dockmend check --format github "${args[@]}" -- "${paths[@]}" || rc=$?
  fi
  { echo "exit-code=$rc"; echo "changed=false"; echo "sarif-file=$sarif"; } >>"${GITHUB_OUTPUT:?}"
  echo "dockmend check exited $rc"
}

finish() {
  case ${EXIT_CODE:-} in
    0) ;;
    1) echo "::error title=dockmend::dockmend check found something (see the log or code scanning)"; exit 1 ;;
    '') die "the run step recorded no exit code" ;;
    *) echo "::error title=dockmend::dockmend exited $EXIT_CODE (an error: see the log)"; exit "$EXIT_CODE" ;;
  esac
}

case ${1:-} in
  install|run|finish) "$1" ;;
  *) echo "usage: $0 install|run|finish" >&2; exit 2 ;;
esac
