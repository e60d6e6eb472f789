#!/usr/bin/env bash
# bench/migrate.sh: time `dockmend migrate` over a generated fleet of git
# repositories. See bench/README.md.
#
# The repositories are built from the shared corpus (../shared/corpus/files
# relative to the repository root). The corpus is third-party data: it is
# copied only into the work dir, at run time, never into this repository.
set -euo pipefail

usage() {
	cat <<'EOF'
usage: bench/migrate.sh [flags]

Generates N git repositories (1 to 5 Dockerfiles each, picked from the shared
corpus by a seeded sequence) under WORKDIR/repos, builds dockmend into
WORKDIR/dockmend and times

  dockmend migrate --root WORKDIR/repos --max-depth 1 --ignore pin \
      --report WORKDIR/report.json > WORKDIR/summary.md

flags (environment variable in brackets):
  -n N              repositories to generate (default 1000)         [BENCH_N]
  --workdir DIR     work dir (default /var/tmp/dockmend-bench-migrate) [BENCH_WORKDIR]
  --corpus DIR      corpus of *.Dockerfile (default ../shared/corpus/files
                    relative to the repository root)                [BENCH_CORPUS]
  --seed S          seed of the file choice (default 1)              [BENCH_SEED]
  --jobs N          pass --jobs N to dockmend migrate (default: its own
                    default, the number of cores)                   [BENCH_JOBS]
  --gen-jobs N      parallel workers for generating and resetting
                    (default: number of cores)                      [BENCH_GEN_JOBS]
  --dry-run         also time a second run with --dry-run (diffs to
                    WORKDIR/dry-run.diff, report WORKDIR/report-dry-run.json)
  --regen           regenerate the repositories even if they match
  -h, --help        this help

Repositories are reused when WORKDIR/.bench-migrate records the same N,
seed and corpus. Before each timed run the branches refs/heads/dockmend/*
left by an earlier run are deleted in every repository, so every repository
is migrated afresh (rather than being "skipped" because its branch exists).
EOF
}

N=${BENCH_N:-1000}
WORK=${BENCH_WORKDIR:-/var/tmp/dockmend-bench-migrate}
SEED=${BENCH_SEED:-1}
JOBS=${BENCH_JOBS:-}
NCPU=$(nproc 2>/dev/null || getconf _NPROCESSORS_ONLN 2>/dev/null || echo 2)
GEN_JOBS=${BENCH_GEN_JOBS:-$NCPU}
DRY_RUN=0
REGEN=0

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
CORPUS=${BENCH_CORPUS:-$ROOT/../shared/corpus/files}

die() { echo "bench/migrate.sh: $*" >&2; exit 1; }
need() { [ $# -ge 2 ] || die "$1 needs a value"; }

while [ $# -gt 0 ]; do
	case $1 in
	-n|--n|--repos) need "$@"; N=$2; shift 2 ;;
	--workdir) need "$@"; WORK=$2; shift 2 ;;
	--corpus) need "$@"; CORPUS=$2; shift 2 ;;
	--seed) need "$@"; SEED=$2; shift 2 ;;
	--jobs) need "$@"; JOBS=$2; shift 2 ;;
	--gen-jobs) need "$@"; GEN_JOBS=$2; shift 2 ;;
	--dry-run) DRY_RUN=1; shift ;;
	--regen) REGEN=1; shift ;;
	-h|--help) usage; exit 0 ;;
	*) usage >&2; die "unknown argument: $1" ;;
	esac
done

case $N in ''|*[!0-9]*) die "-n wants a positive number, got '$N'" ;; esac
[ "$N" -ge 1 ] || die "-n wants a positive number, got '$N'"
case $SEED in ''|*[!0-9]*) die "--seed wants a number, got '$SEED'" ;; esac
case $GEN_JOBS in ''|*[!0-9]*|0) die "--gen-jobs wants a positive number, got '$GEN_JOBS'" ;; esac
if [ -n "$JOBS" ]; then
	case $JOBS in *[!0-9]*|0) die "--jobs wants a positive number, got '$JOBS'" ;; esac
fi

# The corpus is third-party data kept outside the repository.
if [ ! -d "$CORPUS" ] || ! compgen -G "$CORPUS/*.Dockerfile" >/dev/null; then
	die "the corpus is absent: no *.Dockerfile in $CORPUS
(it lives in ../shared/corpus/files beside the repository; set BENCH_CORPUS or --corpus to use another one)"
fi
CORPUS=$(cd "$CORPUS" && pwd -P)
case $CORPUS in *[[:space:]]*) die "the corpus path must not contain spaces: $CORPUS" ;; esac

mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd -P)
case $WORK/ in
"$ROOT"/*) die "the work dir $WORK is inside the repository $ROOT; pick one outside it (the corpus must not be copied into the repository)" ;;
esac
[ "$WORK" != / ] || die "the work dir cannot be /"

REPOS=$WORK/repos
MARKER=$WORK/.bench-migrate
LIST=$WORK/corpus-files.txt

export LC_ALL=C
command -v git >/dev/null || die "git is not installed"
command -v go >/dev/null || die "go is not installed"

# ---------------------------------------------------------------- generate

find "$CORPUS" -maxdepth 1 -name '*.Dockerfile' -type f | sort >"$LIST.new"
CORPUS_COUNT=$(wc -l <"$LIST.new")
CORPUS_SUM=$(cksum <"$LIST.new" | awk '{print $1}')
WANT="n=$N seed=$SEED corpus=$CORPUS files=$CORPUS_COUNT list=$CORPUS_SUM format=1"

generate() {
	if [ -e "$REPOS" ]; then
		[ -f "$MARKER" ] || die "$REPOS exists but was not made by this script (no $MARKER); remove it or pick another --workdir"
		rm -rf "$REPOS"
	fi
	# A fixed date gives the same commits on every generation.
	local -x GIT_AUTHOR_DATE="2026-01-01T00:00:00Z" GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
	echo "state=incomplete" >"$MARKER"
	mv "$LIST.new" "$LIST"
	mkdir -p "$REPOS"

	# The plan: one line a repository, "NAME SRC DEST SRC DEST ...", from a
	# Park-Miller sequence (exact in awk's doubles), so a seed always gives
	# the same fleet.
	awk -v n="$N" -v seed="$SEED" -v count="$CORPUS_COUNT" '
	BEGIN {
		s = (seed % 2147483646) + 1
		split("api web worker auth billing gateway cron search mailer media ingest admin", names, " ")
		nnames = 12
		width = length(n "")
		if (width < 4) width = 4
	}
	function next_rand() { s = (s * 16807) % 2147483647; return s }
	{ files[NR] = $0 }
	END {
		for (r = 1; r <= n; r++) {
			k = next_rand() % 5 + 1
			line = sprintf("r%0" width "d", r)
			for (j = 1; j <= k; j++) {
				src = files[next_rand() % count + 1]
				if (j == 1) dest = "Dockerfile"
				else dest = "services/" names[(r + j) % nnames + 1] "/Dockerfile"
				line = line " " src " " dest
			}
			print line
		}
	}' "$LIST" >"$WORK/plan.txt"

	# One worker makes many repositories, to spare process start-ups.
	# Each repository's .git/config gets its own user, no gpg signing and
	# no automatic gc, so the timed run does not depend on ~/.gitconfig.
	# shellcheck disable=SC2016
	xargs -d '\n' -n 25 -P "$GEN_JOBS" bash -c '
		set -e
		repos=$1; shift
		for line in "$@"; do
			set -- $line
			d=$repos/$1; shift
			dirs=("$d")
			for ((i = 2; i <= $#; i += 2)); do
				dest=${!i}
				case $dest in */*) dirs+=("$d/${dest%/*}") ;; esac
			done
			mkdir -p "${dirs[@]}"
			while [ $# -gt 0 ]; do
				cp "$1" "$d/$2"
				shift 2
			done
			git -C "$d" init -q --template= -b main
			printf "[user]\n\tname = dockmend bench\n\temail = bench@dockmend.invalid\n[commit]\n\tgpgsign = false\n[gc]\n\tauto = 0\n" >>"$d/.git/config"
			git -C "$d" add -A
			git -C "$d" commit -q --no-verify -m "initial commit"
		done
	' gen "$REPOS" <"$WORK/plan.txt"

	echo "$WANT" >"$MARKER"
}

if [ "$REGEN" = 0 ] && [ -f "$MARKER" ] && [ "$(cat "$MARKER")" = "$WANT" ] && [ -d "$REPOS" ]; then
	rm -f "$LIST.new"
	echo "== reusing $N repositories in $REPOS"
else
	echo "== generating $N repositories in $REPOS from $CORPUS_COUNT corpus files (seed $SEED, $GEN_JOBS workers)"
	t0=$(date +%s.%N)
	generate
	t1=$(date +%s.%N)
	awk -v a="$t0" -v b="$t1" 'BEGIN { printf "   generated in %.1f s\n", b - a }'
fi
DOCKERFILES=$(awk '{ n += (NF - 1) / 2 } END { print n }' "$WORK/plan.txt")

# ---------------------------------------------------------------- build

echo "== building dockmend into $WORK/dockmend"
(cd "$ROOT" && go build -o "$WORK/dockmend" ./cmd/dockmend)
help=$("$WORK/dockmend" migrate --help 2>&1 || true)
case $help in
*"dockmend migrate"*) ;;
*) die "this dockmend has no 'migrate' subcommand yet" ;;
esac

# ---------------------------------------------------------------- run

# Delete the branches refs/heads/dockmend/* of an earlier run (loose or
# packed) and prune stale worktree entries, in every repository.
reset_repos() {
	find "$REPOS" -mindepth 1 -maxdepth 1 -type d -print0 |
		xargs -0 -n 50 -P "$GEN_JOBS" bash -c '
			for d in "$@"; do
				git -C "$d" for-each-ref --format="delete %(refname)" refs/heads/dockmend |
					git -C "$d" update-ref --stdin
				if [ -d "$d/.git/worktrees" ]; then git -C "$d" worktree prune; fi
			done
		' reset
}

# timed NAME REPORT OUT [extra migrate flags...]
timed() {
	local name=$1 report=$2 out=$3
	shift 3
	local args=(migrate --root "$REPOS" --max-depth 1 --ignore pin --report "$report")
	[ -z "$JOBS" ] || args+=(--jobs "$JOBS")
	args+=("$@")
	rm -f "$report"
	local load_before load_after t0 t1 rc=0 cpu TIMEFORMAT='%U %S'
	load_before=$(uptime)
	echo "== $name: dockmend ${args[*]} > $out"
	t0=$(date +%s.%N)
	# time reports the CPU seconds of dockmend and of the git processes it ran.
	{ time (cd "$WORK" && "$WORK/dockmend" "${args[@]}" >"$out" 2>"$WORK/$name.stderr"); } 2>"$WORK/$name.time" || rc=$?
	t1=$(date +%s.%N)
	load_after=$(uptime)
	cpu=$(awk '{ printf "%.1f (user %.1f, sys %.1f)", $1 + $2, $1, $2 }' "$WORK/$name.time")
	summarize "$name" "$report" "$t0" "$t1" "$rc" "$load_before" "$load_after" "$cpu"
}

counts() { # report -> "total changed unchanged skipped failed"
	if command -v jq >/dev/null; then
		jq -r '[(.repositories | length), .counts.changed, .counts.unchanged, .counts.skipped, .counts.failed] | map(. // 0) | @tsv' "$1"
	else
		python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
c = r.get("counts", {})
print(len(r.get("repositories") or []), *(c.get(k, 0) for k in ("changed", "unchanged", "skipped", "failed")), sep="\t")
' "$1"
	fi
}

reasons() { # report -> the most common reasons of skipped/failed repositories
	if command -v jq >/dev/null; then
		jq -r '(.repositories // [])[] | select(.status == "failed" or .status == "skipped")
			| "\(.status): \(.reason)" + (if (.errors // []) == [] then "" else " (\(.errors[0]))" end)' "$1"
	else
		python3 -c '
import json, sys
for r in json.load(open(sys.argv[1])).get("repositories") or []:
    if r.get("status") in ("failed", "skipped"):
        errs = r.get("errors") or []
        print("%s: %s%s" % (r["status"], r.get("reason", ""), " (%s)" % errs[0] if errs else ""))
' "$1"
	fi | sed -E -e "s#\($REPOS/[^/]*/#(#" -e 's/[0-9a-f]{7,40}/HASH/g' | sort | uniq -c | sort -rn | head -5
}

summarize() {
	local name=$1 report=$2 t0=$3 t1=$4 rc=$5 load_before=$6 load_after=$7 cpu=$8
	local total changed unchanged skipped failed secs rate
	secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
	if [ -s "$report" ]; then
		read -r total changed unchanged skipped failed < <(counts "$report")
	else
		echo "   no report was written ($report); stderr:" >&2
		sed -n '1,20p' "$WORK/$name.stderr" >&2
		total=?; changed=?; unchanged=?; skipped=?; failed=?
	fi
	rate=$(awk -v n="$N" -v s="$secs" 'BEGIN { if (s > 0) printf "%.1f", n / s; else print "-" }')
	echo
	echo "-- $name"
	echo "repositories:     $total (generated $N, $DOCKERFILES Dockerfiles)"
	echo "changed:          $changed"
	echo "unchanged:        $unchanged"
	echo "skipped:          $skipped"
	echo "failed:           $failed"
	echo "exit status:      $rc"
	echo "wall seconds:     $secs"
	echo "repositories/s:   $rate"
	echo "cpu seconds:      $cpu, dockmend and git together"
	echo "cores:            $NCPU (migrate --jobs ${JOBS:-default})"
	echo "load before:      ${load_before#*load average: }"
	echo "load after:       ${load_after#*load average: }"
	if [ -s "$report" ] && [ "$skipped$failed" != 00 ]; then
		echo "reasons (skipped/failed, most common first):"
		reasons "$report" | sed 's/^/  /'
	fi
	if [ -s "$WORK/$name.stderr" ]; then
		echo "stderr:           $WORK/$name.stderr ($(wc -l <"$WORK/$name.stderr") lines)"
	fi
	echo "goal: 1000 repositories in under 60 s on 2 cores"
	awk -v n="$N" -v s="$secs" -v c="$NCPU" 'BEGIN {
		if (n != 1000) { printf "      (this run: %d repositories; the goal is stated for 1000)\n", n; exit }
		printf "      %s: %.1f s on %d cores\n", (s < 60 ? "met" : "missed"), s, c
	}'
}

echo "== resetting branches refs/heads/dockmend/* in $N repositories"
reset_repos

if [ "$DRY_RUN" = 1 ]; then
	# --dry-run creates nothing, so the real run below starts from the same state.
	timed dry-run "$WORK/report-dry-run.json" "$WORK/dry-run.diff" --dry-run
fi
timed migrate "$WORK/report.json" "$WORK/summary.md"

echo
echo "summary: $WORK/summary.md, report: $WORK/report.json"
