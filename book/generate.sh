#!/usr/bin/env bash
# Regenerates what the book shows and the examples print:
#   book/generated/*.txt        each example's output (book-sized inputs, release build, one at a
#                               time; measured ones start with a line naming the machine)
#   book/compile_fail/*.stderr  rustc's errors for the programs the book shows failing
#   book/src/images/timeline-*.png and book/generated/seeing-the-schedule-*.txt
#                               "Seeing the schedule": real traces under a seed, drawn by
#                               `cargo grade timeline` and photographed by headless Chromium
#                               (.ci/run's tools step installs it), the grader's words on a
#                               wrong submission, and random vs PCT (probes' schedules_to_failure)
# Then review `git diff book/` before committing. `cargo test -p runtime --test book_examples`
# fails while a committed output is stale.
#
#   book/generate.sh           outputs and compile errors (a few minutes)
#   book/generate.sh --bench   also the performance table, book/generated/performance.md, and
#                              the same run's chart, book/src/charts/performance.svg
#                              (cargo bench -p runtime --bench compare -- --markdown --svg …; longer)
# Charts live in book/src/charts/ (mdBook copies only src/ into the site); the measured examples
# that draw one (bound_by, concurrency_vs_parallelism) write it in the same run as their text.
set -euo pipefail
cd "$(dirname "$0")/.."

nice cargo build --release -p runtime --examples
TASKLINGS_BOOK=update nice cargo test --release -p runtime --test book_examples -- --test-threads=1

# "Seeing the schedule". Paths the grader prints are made relative to the repository.
shots=target/book-timelines
mkdir -p "$shots" book/src/images
relative() { sed "s#$PWD/##g"; }
shoot() { # HTML PNG WIDTH,HEIGHT
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size="$3" \
    --screenshot="$PWD/$2" "file://$PWD/$1" 2>/dev/null
}
export NO_COLOR=1
TASKLINGS_SEED=42 TASKLINGS_TRACE="$shots/spawn-storm.json" \
  target/release/examples/scheduler_tour 12 > book/generated/seeing-the-schedule-tour.txt
cargo grade timeline "$shots/spawn-storm.json" -o "$shots/spawn-storm.html"
shoot "$shots/spawn-storm.html" book/src/images/timeline-spawn-storm.png 1300,520
wrong=(counter-races --submission grader/hidden/counter-races/wrong/add_inside_task
       --test count_concurrently_waits_for_every_task)
{ cargo grade run "${wrong[@]}" || true; } 2>/dev/null | relative \
  > book/generated/seeing-the-schedule-grade.txt
{ cargo grade run "${wrong[@]}" --seed 1 || true; } 2>/dev/null | relative \
  > book/generated/seeing-the-schedule-replay.txt
shoot target/tasklings/traces/counter-races/count_concurrently_waits_for_every_task.html \
  book/src/images/timeline-add-inside-task.png 1300,520
nice cargo run --release -q -p probes --example schedules_to_failure \
  > book/generated/seeing-the-schedule-pct.txt

if [[ "${1:-}" == "--bench" ]]; then
  # An absolute path: cargo runs a benchmark in its package's folder (runtime/).
  nice cargo bench -p runtime --bench compare -- --markdown \
    --svg "$PWD/book/src/charts/performance.svg.new" > book/generated/performance.md.new
  mv book/generated/performance.md.new book/generated/performance.md
  mv book/src/charts/performance.svg.new book/src/charts/performance.svg
fi
