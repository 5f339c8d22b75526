//! Hidden tests of deadlines: `RetryPolicy::backoff`, `call_with_retries` and `poll_every`.
//!
//! Everything runs on tokio's paused clock (`paused.rs`), where virtual times are exact: the
//! tests compare them with what the docs' rules say, to the millisecond, as a model computes
//! them (`model.rs`). The attempts and the poller's calls are scripted fakes (`attempts.rs`)
//! that record when they start and end (complete, or are dropped), and hold a `LiveWork` token
//! while their future exists; the jitter draws from a seeded generator, so every wait is known.
//!
//! - `retries`: exact attempt start and end times, the backoff each wait asks the jitter about,
//!   the result and when it comes; timed-out attempts dropped at their timeout; the deadline
//!   never passed; nothing alive after the return.
//! - `ticker`: exact start times of the poller's calls, with short calls (drift) and a call that
//!   stalls for 2.5 periods (burst, or a shifted schedule); one call at a time.
//!
//! No test depends on the machine's speed or load: the paused clock only moves when every task
//! waits, so a verdict is the same on every run. All tests are `correctness` tests for that
//! reason — there is no wall-clock measurement to protect from other processes.

mod attempts;
mod model;
mod paused;
mod retries;
mod ticker;

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![
        Test::correctness(
            "backoff_doubles_from_base_up_to_the_cap",
            1.0,
            retries::backoff_doubles_from_base_up_to_the_cap,
        ),
        Test::correctness(
            "returns_the_first_success_without_retrying",
            0.5,
            retries::returns_the_first_success_without_retrying,
        ),
        Test::correctness(
            "gives_up_after_max_attempts",
            1.0,
            retries::gives_up_after_max_attempts,
        ),
        Test::correctness(
            "starts_each_retry_after_its_jittered_backoff",
            2.0,
            retries::starts_each_retry_after_its_jittered_backoff,
        ),
        Test::correctness(
            "waits_no_longer_than_max_backoff",
            1.0,
            retries::waits_no_longer_than_max_backoff,
        ),
        Test::correctness(
            "drops_an_attempt_at_its_timeout",
            1.5,
            retries::drops_an_attempt_at_its_timeout,
        ),
        Test::correctness(
            "never_runs_past_the_deadline",
            2.0,
            retries::never_runs_past_the_deadline,
        ),
        Test::correctness(
            "leaves_nothing_running_after_return",
            1.0,
            retries::leaves_nothing_running_after_return,
        ),
        Test::correctness(
            "poll_every_returns_the_outputs_in_order",
            0.5,
            ticker::poll_every_returns_the_outputs_in_order,
        ),
        Test::correctness(
            "poll_every_starts_calls_on_the_ticks",
            1.0,
            ticker::poll_every_starts_calls_on_the_ticks,
        ),
        Test::correctness(
            "poll_every_neither_bursts_nor_drifts_after_a_stall",
            2.0,
            ticker::poll_every_neither_bursts_nor_drifts_after_a_stall,
        ),
        Test::correctness(
            "runs_inside_a_spawned_task",
            0.5,
            runs_inside_a_spawned_task,
        ),
    ])
}

/// Applications `tokio::spawn` these futures: they must be `Send + 'static` (this file doesn't
/// compile otherwise) and behave the same inside a task.
fn runs_inside_a_spawned_task() {
    retries::runs_inside_a_spawned_task();
    ticker::runs_inside_a_spawned_task();
}
