#!/usr/bin/env bash
# Rewrites every golden set after an intended change (review the diff!):
# the rules' txtar goldens (internal/transformtest), the testscript cmp
# targets, the examples' lock file, and the generated blocks of README.md
# and docs/ (the rule table, the package table, the runtime-bases table,
# the multistage example), and internal/buildkitparser, the copy of
# buildkit's parser generated from the module go.mod requires. It runs
# with -update every package whose tests use internal/golden, which
# defines the flag; the others do not know it.
# Usage: scripts/update.sh [go test flags] (the Makefile's update target).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t pkgs < <(go list -test -f '{{if .ForTest}}{{.ForTest}}{{range .Deps}} {{.}}{{end}}{{end}}' ./... |
	awk '/ github\.com\/dockmend\/dockmend\/internal\/golden( |$)/ {print $1}' | sort -u)
go test "$@" "${pkgs[@]}" -update
