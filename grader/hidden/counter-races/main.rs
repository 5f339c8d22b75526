//! Hidden tests of counter-races.
//!
//! - `counters`: each counter hammered from many threads — exact totals, and every `get` sees
//!   every `increment` that returned before it; the channel counter's owner starts with the
//!   counter and stops when it is dropped — a thread or a Tasklings task, judged by what it does
//!   (the process's OS threads and the runtimes' live tasks), not by which it is.
//! - `wait_group`: `count_concurrently` — exact totals on each counter, tasks really spawned on the
//!   Tasklings runtime (its process-wide metrics), and every task finished before it returns,
//!   under every one of 200 seeded schedules (`probes::explore`: a failure names its seed).
//!
//! No wall-clock assertion anywhere: lost updates and early returns show up as wrong counts (an
//! owner that outlives its counter waits out a grace that correct code never comes near).

mod counters;
mod wait_group;

use std::time::Duration;

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![
        Test::correctness("counters_start_at_zero", 0.5, counters::start_at_zero),
        Test::correctness(
            "mutex_counter_counts_every_increment_from_many_threads",
            1.0,
            counters::mutex_counter_counts_every_increment,
        ),
        Test::correctness(
            "atomic_counter_counts_every_increment_from_many_threads",
            1.0,
            counters::atomic_counter_counts_every_increment,
        ),
        Test::correctness(
            "channel_counter_counts_every_increment_from_many_threads",
            1.0,
            counters::channel_counter_counts_every_increment,
        )
        .timeout(Duration::from_secs(30)),
        Test::correctness(
            "get_includes_every_increment_that_returned_before",
            1.5,
            counters::get_includes_every_increment_that_returned_before,
        )
        .timeout(Duration::from_secs(30)),
        Test::correctness(
            "channel_counter_has_an_owner_that_stops_when_dropped",
            0.5,
            counters::channel_counter_has_an_owner_that_stops_when_dropped,
        ),
        Test::correctness(
            "count_concurrently_returns_the_exact_total",
            1.0,
            wait_group::returns_the_exact_total,
        )
        .timeout(Duration::from_secs(30)),
        Test::correctness(
            "count_concurrently_adds_to_the_current_count",
            0.5,
            wait_group::adds_to_the_current_count,
        ),
        Test::timing(
            "count_concurrently_spawns_tasks_on_the_runtime",
            1.0,
            wait_group::spawns_tasks_on_the_runtime,
        ),
        Test::correctness(
            "count_concurrently_waits_for_every_task",
            1.0,
            wait_group::waits_for_every_task,
        )
        // Explored under many seeded schedules of the deterministic runtime (probes::explore):
        // a wg.add(1) inside the task, or no wait at all, fails under the same seed every run.
        .timeout(Duration::from_secs(30)),
    ])
}
