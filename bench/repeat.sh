#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
#
# bench/repeat.sh - run bench/run.sh RUNS times (default 3) with the same
# environment and print the per-run ratios and their medians.  On a small
# shared VM one run is noisy (the raw baseline alone varies by 2x between
# runs); compare medians, and only ratios taken within one run.
#
# Output: each run's report bench/results-<date>.md, plus the summary on
# stdout and in bench/summary-<date>.md.
set -uo pipefail
SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RUNS=${RUNS:-3}
BENCH_DIR=${BENCH_DIR:-/var/tmp/vmfs-bench}
export BENCH_DIR
STAMP=$(date +%Y-%m-%d-%H%M%S)
OUT=${SUMMARY_MD:-$SCRIPT_DIR/summary-$STAMP.md}
dirs=()
for i in $(seq 1 "$RUNS"); do
	echo "=== run $i of $RUNS" >&2
	before=$(printf "%s\n" "$BENCH_DIR"/results-* | sort | tail -1)
	"$SCRIPT_DIR/run.sh" >/dev/null || { echo "run $i failed" >&2; exit 1; }
	d=$(printf "%s\n" "$BENCH_DIR"/results-* | sort | tail -1)
	[[ $d != "$before" ]] || { echo "run $i left no result dir" >&2; exit 1; }
	dirs+=("$d")
done
{
	echo "# Benchmark summary: $RUNS runs ($STAMP)"
	echo
	echo "Result dirs: ${dirs[*]}"
	echo
	python3 "$SCRIPT_DIR/report.py" summary "${dirs[@]}"
} | tee "$OUT"
