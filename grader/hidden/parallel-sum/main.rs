//! Hidden tests of parallel-sum: `parallel_sum` and `parallel_sum_by`.
//!
//! - `sums`: what comes back — edge cases, wrapping, uneven splits, seeded random slices checked
//!   against a sequential wrapping sum (`reference`).
//! - `behaviour`: how `parallel_sum_by` runs the `f` the test hands it, measured with probes: every
//!   item exactly once, never more than `workers` calls at once (gauge), as many at once as a split
//!   with no thread over its share allows — `min(workers, ⌈n / ⌈n/w⌉⌉)`, `workers` when the items
//!   split evenly (rendezvous) — no thread with more than ⌈n/w⌉ items (`shares`), no more than
//!   `workers` threads (thread log), nothing running after return (live work, OS thread count), no
//!   spinning while waiting (CPU time per wall time); and that `parallel_sum` itself starts
//!   threads.
//!
//! No test asks for a wall-clock speed-up: a plain i64 sum is memory-bound and runs at ~1.0× on
//! this kind of machine (the chapter shows it).

mod behaviour;
mod reference;
mod shares;
mod sums;

use std::time::Duration;

use probes::harness::{self, Test};

/// Tests whose wrong answers wait out a rendezvous get room for it, and more.
const ROOM_FOR_A_RENDEZVOUS: Duration = Duration::from_secs(30);

fn main() {
    harness::main(vec![
        // What comes back.
        Test::correctness(
            "sums_an_empty_slice_to_zero",
            1.0,
            sums::sums_an_empty_slice_to_zero,
        ),
        Test::correctness("sums_a_single_item", 0.5, sums::sums_a_single_item),
        Test::correctness(
            "handles_fewer_items_than_workers",
            1.0,
            sums::handles_fewer_items_than_workers,
        ),
        Test::correctness(
            "treats_zero_workers_as_one",
            1.0,
            sums::treats_zero_workers_as_one,
        ),
        Test::correctness(
            "sums_slices_that_split_unevenly",
            1.0,
            sums::sums_slices_that_split_unevenly,
        ),
        Test::correctness("wraps_on_overflow", 1.0, sums::wraps_on_overflow),
        Test::correctness(
            "matches_a_sequential_sum_on_random_slices",
            1.0,
            sums::matches_a_sequential_sum_on_random_slices,
        ),
        Test::correctness(
            "sum_by_adds_up_f_of_every_item",
            0.5,
            sums::sum_by_adds_up_f_of_every_item,
        ),
        // How it runs.
        Test::correctness(
            "calls_f_once_per_item",
            1.0,
            behaviour::calls_f_once_per_item,
        ),
        Test::correctness(
            "never_runs_more_than_workers_calls_at_once",
            2.0,
            behaviour::never_runs_more_than_workers_calls_at_once,
        )
        .timeout(ROOM_FOR_A_RENDEZVOUS),
        Test::correctness(
            "runs_workers_calls_at_once",
            2.0,
            behaviour::runs_workers_calls_at_once,
        )
        .timeout(ROOM_FOR_A_RENDEZVOUS),
        Test::correctness(
            "balances_items_that_split_unevenly",
            1.0,
            behaviour::balances_items_that_split_unevenly,
        )
        .timeout(ROOM_FOR_A_RENDEZVOUS),
        Test::correctness(
            "calls_f_from_at_most_workers_threads",
            2.0,
            behaviour::calls_f_from_at_most_workers_threads,
        ),
        Test::correctness(
            "leaves_nothing_running_after_return",
            1.0,
            behaviour::leaves_nothing_running_after_return,
        ),
        Test::timing(
            "waits_for_workers_without_spinning",
            1.0,
            behaviour::waits_for_workers_without_spinning,
        )
        .timeout(ROOM_FOR_A_RENDEZVOUS),
        Test::timing(
            "parallel_sum_starts_worker_threads",
            1.0,
            behaviour::parallel_sum_starts_worker_threads,
        )
        .timeout(ROOM_FOR_A_RENDEZVOUS),
    ])
}
