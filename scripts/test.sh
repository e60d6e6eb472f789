#!/usr/bin/env bash
# Runs every test verbosely into a log, then prints what matters: the
# package results, the corpus counts, and on failure the failing output.
# Usage: scripts/test.sh [go test flags] (the Makefile's test target).
#
# The packages whose tests read the shared corpus (../shared/corpus beside
# the checkout, found by that path in their tests) run with -count=1: the
# corpus lives outside the module, so the test cache would serve results
# from before it was added, changed or removed. The other packages may
# come from the cache. TEST_SH_DRY_RUN=1 prints the go test commands
# instead of running them.
set -uo pipefail
cd "$(dirname "$0")/.."
log="${TEST_LOG:-bin/test.log}"
mkdir -p "$(dirname "$log")"

mapfile -t corpus_pkgs < <(grep -rlE --include='*_test.go' 'shared.{1,12}corpus' . | xargs -r -n1 dirname | sort -u)
mapfile -t other_pkgs < <(go list -f '{{.Dir}}' ./... | sed "s|^$PWD|.|" | grep -vxF -f <(printf '%s\n' "${corpus_pkgs[@]}" .nothing))

rc=0
[ -n "${TEST_SH_DRY_RUN:-}" ] || : >"$log"
# run runs a go test command into the log, or prints it on a dry run.
run() {
	if [ -n "${TEST_SH_DRY_RUN:-}" ]; then
		echo "$@"
		return
	fi
	"$@" >>"$log" 2>&1 || rc=$?
}
[ "${#other_pkgs[@]}" -eq 0 ] || run go test -v "$@" "${other_pkgs[@]}"
[ "${#corpus_pkgs[@]}" -eq 0 ] || run go test -v -count=1 "$@" "${corpus_pkgs[@]}"
[ -z "${TEST_SH_DRY_RUN:-}" ] || exit 0

# The counts the corpus tests report (t.Logf lines of *corpus_test.go).
grep -E '^\s+corpus_test\.go:[0-9]+: ' "$log" | sed -E 's/^\s+corpus_test\.go:[0-9]+: /corpus: /'
if [ "$rc" -ne 0 ]; then
	echo
	echo "FAILURES (full log: $log):"
	grep -v -E '^(=== (RUN|PAUSE|CONT|NAME)|--- (PASS|SKIP)|PASS$)' "$log" | grep -v -E '^\s+--- (PASS|SKIP)' | tail -200
fi
echo
grep -E '^(ok|FAIL|\?)\s' "$log"
passed=$(grep -c -E '^\s*--- PASS' "$log")
failed=$(grep -c -E '^\s*--- FAIL' "$log")
skipped=$(grep -c -E '^\s*--- SKIP' "$log")
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$rc"
