#!/usr/bin/env bash
# Feedback latency per exercise: the median wall time, edit to verdict, of five warm one-line
# edits of a copy of the reference solution, graded with
#   cargo grade run SLUG --submission DIR --skip-timing    (default)
#   cargo grade run SLUG --submission DIR                  (FLAGS= .ci/measure/latency.sh)
# SLUGS="a b" limits it to those exercises. Run it on a quiet machine; it prints, never asserts.
set -u
cd "$(dirname "$0")/../.."
cargo build -q -p grader
for slug in ${SLUGS:-$(ls exercises)}; do
  [ -d "solutions/$slug" ] || continue
  dir=$(mktemp -d); cp -r "solutions/$slug/." "$dir/"
  cargo grade run "$slug" --submission "$dir" ${FLAGS---skip-timing} >/dev/null 2>&1 # warm up
  times=()
  for i in 1 2 3 4 5; do
    echo "// edit $i $RANDOM" >> "$dir/src/lib.rs"
    start=$(date +%s.%N)
    cargo grade run "$slug" --submission "$dir" ${FLAGS---skip-timing} >/dev/null 2>&1; rc=$?
    end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  median=$(printf '%s\n' "${times[@]}" | sort -n | sed -n 3p)
  printf '%-22s median %.2f s  (runs: %s) exit %s\n' "$slug" "$median" \
    "$(printf '%.2f ' "${times[@]}")" "$rc"
  rm -rf "$dir"
done
