#!/usr/bin/env bash
# What a learner reads: for each exercise (SLUGS="a b", default all), the first two wrong/
# submissions that compile, each graded on the test its first line names, and that test's
# message.
set -u
cd "$(dirname "$0")/../.."
cargo build -q -p grader
for slug in ${SLUGS:-$(ls exercises)}; do
  shown=0
  for dir in grader/hidden/"$slug"/wrong/*/; do
    first=$(head -1 "$dir/src/lib.rs")
    case "$first" in "// Must fail "*) ;; *) continue ;; esac
    test=$(echo "$first" | sed 's/^\/\/ Must fail `\{0,1\}\([A-Za-z0-9_]*\).*/\1/')
    echo "### $slug — wrong/$(basename "$dir") → $test"
    target/debug/grader run "$slug" --submission "$dir" --test "$test" --format json 2>/dev/null |
      TEST="$test" python3 -c "import json, os, sys
for t in json.load(sys.stdin)['exercises'][0]['tests']:
    if t['name'] == os.environ['TEST']:
        print(t['status'] + ': ' + t['message'])"
    shown=$((shown + 1)); [ "$shown" -ge 2 ] && break
  done
done
