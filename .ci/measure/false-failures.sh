#!/usr/bin/env bash
# False failures: each reference solution graded N times (default 20) in full, timing checks
# included, while a busy loop keeps another core occupied. Prints, per exercise, how many runs
# passed and, for any that didn't, the tests that failed. SLUGS="a b" limits the exercises.
set -u
cd "$(dirname "$0")/../.."
N=${N:-20}
cargo build -q -p grader
grader=target/debug/grader
yes > /dev/null & busy=$!
trap 'kill $busy' EXIT
for slug in ${SLUGS:-$(ls exercises)}; do
  [ -d "solutions/$slug" ] || continue
  failed=0; why=""; start=$(date +%s)
  for i in $(seq "$N"); do
    verdict=$("$grader" run "$slug" --submission "solutions/$slug" --format json 2>/dev/null |
      python3 -c "import json, sys
try:
    e = json.load(sys.stdin)['exercises'][0]
    bad = [t['name'] + ':' + t['status'] for t in e['tests'] if t['status'] not in ('pass', 'skipped')]
    print(e['status'], ' '.join(bad))
except Exception as error:
    print('no-report', error)")
    case "$verdict" in pass*) ;; *) failed=$((failed + 1)); why="$why [$i: $verdict]" ;; esac
  done
  printf '%-22s %d/%d passed, %ds%s\n' "$slug" $((N - failed)) "$N" $(($(date +%s) - start)) "$why"
done
