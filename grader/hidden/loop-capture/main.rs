//! Hidden tests of loop-capture: `map_concurrently(inputs, work)`, where `work` is the grader's.
//!
//! - `work.rs`: the grader's `work` — outputs the learner can't guess, calls counted per input,
//!   each call live work while it runs, and optionally a wait at a gate.
//! - `gate.rs`: the gate — every call in flight at once, then all go on together (a burst of
//!   results on every worker) or one at a time, last input first (results in finishing order
//!   come back reversed).
//! - `slow_growth.rs`: the global allocator, whose large reallocations pause once a test asks.
//! - `checks.rs`: the tests.
//!
//! No wall-clock assertion anywhere: lost results, wrong inputs and early returns show up as
//! wrong outputs and call counts; "all at once" is a gate that sequential code never opens.
//! Schedules are forced, not hoped for: lazy spawning where a bug depends on a task starting
//! early, a gate where it depends on the order tasks finish in, and thousands of results arriving
//! at once while a growing Vec pauses (`slow_growth.rs`), where it depends on a data race.

mod checks;
mod gate;
mod slow_growth;
mod work;

use std::time::Duration;

use probes::harness::{self, Test};

/// Only `loses_nothing_under_contention` switches its pause on (see `slow_growth.rs`).
#[global_allocator]
static ALLOCATOR: slow_growth::SlowGrowth = slow_growth::SlowGrowth;

fn main() {
    harness::main(vec![
        Test::correctness(
            "returns_each_output_in_input_order",
            2.5,
            checks::returns_each_output_in_input_order,
        )
        // A task starts only when its spawner reaches its next `.await`: results read before
        // waiting, `wg.add` inside the task and a loop index read late fail on every run.
        .env("TASKLINGS_LAZY_SPAWN", "1"),
        Test::correctness(
            "keeps_input_order_when_tasks_finish_in_reverse",
            1.5,
            checks::keeps_input_order_when_tasks_finish_in_reverse,
        ),
        Test::correctness(
            "runs_every_call_at_once",
            2.0,
            checks::runs_every_call_at_once,
        ),
        Test::correctness(
            "spawns_a_task_per_input_on_the_runtime",
            1.0,
            checks::spawns_a_task_per_input_on_the_runtime,
        ),
        Test::correctness(
            "loses_nothing_under_contention",
            2.0,
            checks::loses_nothing_under_contention,
        )
        .env("TASKLINGS_WORKERS", "4")
        .timeout(Duration::from_secs(30)),
        Test::correctness(
            "a_second_call_starts_afresh",
            1.0,
            checks::a_second_call_starts_afresh,
        )
        .env("TASKLINGS_LAZY_SPAWN", "1"),
    ])
}
