#!/usr/bin/env bash
# Runs every test verbosely into a log, then prints what matters: the
# package results, the corpus counts, and on failure the failing output.
# Usage: scripts/test.sh [go test flags] (the Makefile's test target).
set -uo pipefail
cd "$(dirname "$0")/.."
log="${TEST_LOG:-bin/test.log}"
mkdir -p "$(dirname "$log")"

go test -v "$@" ./... >"$log" 2>&1
rc=$?

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
