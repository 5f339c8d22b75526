#!/usr/bin/env bash
# Regenerates what the book shows and the examples print:
#   book/generated/*.txt        each example's output (book-sized inputs, release build, one at a
#                               time; measured ones start with a line naming the machine)
#   book/compile_fail/*.stderr  rustc's errors for the programs the book shows failing
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

if [[ "${1:-}" == "--bench" ]]; then
  nice cargo bench -p runtime --bench compare -- --markdown \
    --svg book/src/charts/performance.svg.new > book/generated/performance.md.new
  mv book/generated/performance.md.new book/generated/performance.md
  mv book/src/charts/performance.svg.new book/src/charts/performance.svg
fi
