#!/usr/bin/env bash
# demo.sh DOCKMEND (make demo): every rule on the example Dockerfiles of testdata/examples,
# offline, pinning through the bundled lock file; then the examples migrated as git
# repositories (scripts/demo-migrate.sh). Each command is shown as it would be typed.
set -euo pipefail
bin=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
cd "$(dirname "$0")/.."
ex=testdata/examples
pin=(--offline --lockfile "$ex/dockmend.lock")
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# show CMD...: print the command as typed ($ dockmend ...), then run it
show() { echo "\$ dockmend $*"; "$bin" "$@"; }

echo "== dockmend check: every finding, the unsafe ones included"
rc=0; show check "${pin[@]}" "$ex" || rc=$?
echo "(exit status $rc: check exits 1 when it finds something, which is what fails a CI job)"
echo

echo "== dockmend diff: the safe fixes, pinning offline through the bundled lock file"
show diff "${pin[@]}" "$ex"
# diff and fix count every fix they apply, pass after pass, until nothing changes; check counts
# the findings of the files as they are. A fix can uncover a finding that only the next pass
# sees, so the counts can differ: say where.
notes=()
for d in "$ex"/*/; do
  d=${d%/}
  c=$("$bin" check "${pin[@]}" "$d" 2>/dev/null | grep -c '\[\*\]$' || true)
  f=$("$bin" diff "${pin[@]}" "$d" 2>&1 >/dev/null | sed -n 's/^would fix \([0-9]*\) issue.*/\1/p')
  [ "${f:-0}" = "$c" ] || notes+=("$(basename "$d"): $c fixable findings, $f fixes")
done
if [ ${#notes[@]} -gt 0 ]; then
  echo "(more fixes than check's fixable findings: fix runs the rules again on its own result until"
  echo " nothing changes, and a fix can uncover another finding; $(IFS=';'; echo "${notes[*]}" | sed 's/;/; /g'))"
fi
echo

echo "== dockmend fix, on a copy: what is left afterwards"
cp -R "$ex" "$tmp/examples"
(cd "$tmp" && echo "\$ dockmend fix --offline --lockfile examples/dockmend.lock examples" \
  && "$bin" fix --offline --lockfile examples/dockmend.lock examples 2>&1)
echo

echo "== dockmend diff --unsafe-fixes: --no-install-recommends and the multi-stage split"
show diff --unsafe-fixes "${pin[@]}" "$ex/c-service"
echo

echo "== dockmend migrate: each example as a git repository, one branch and commit each"
bash scripts/demo-migrate.sh "$bin"
