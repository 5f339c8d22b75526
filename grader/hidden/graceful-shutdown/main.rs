//! Hidden tests of graceful-shutdown: `Service`, its workers and its token.
//!
//! - `stopping`: a cancel reaches workers that wait for a job; no job is taken after the cancel
//!   (a step ending with the next job queued, a job and the cancel arriving together, workers
//!   cancelled before they ran).
//! - `in_flight`: `shutdown` finishes the steps in flight, and returns only once every worker's
//!   task has ended (`runtime::num_tasks()` back where it was, every cleanup done).
//! - `cleanup`: exactly once per worker, however it stopped — the queue closing, a cancel in any
//!   state, a cancel before the worker was spawned.
//! - `groups`: `spawn_group`'s token stops its group only; the service's token stops everything.
//! - `jobs`: the service at work on a worker thread per CPU: its workers run at once (a
//!   rendezvous of four steps), every job taken and stepped exactly once.
//!
//! `probe` is the grader's `Work` (a queue the test feeds, steps held at a gate, a log of every
//! call with the test's cancels marked in it); `scenario` runs a service as a task on a fresh
//! runtime — one worker thread and lazy spawning, so every schedule is fixed — and holds the
//! checks that every scenario ends with. The one clock is a 2-second patience for what correct
//! code does at once; only wrong code waits it out, once per test. The one thing left to chance
//! is an unbiased `select!`'s pick between a cancel and a job both ready: 48 such picks must
//! all go the right way, which luck does once in 2^48 runs.

/// Ends the scenario with a failure the learner reads: `return Err(format!(…))`.
macro_rules! fail {
    ($($message:tt)*) => {
        return Err(format!($($message)*))
    };
}

/// [`fail!`] unless `condition` holds.
macro_rules! ensure {
    ($condition:expr, $($message:tt)*) => {
        if !$condition {
            fail!($($message)*);
        }
    };
}

mod cleanup;
mod groups;
mod in_flight;
mod jobs;
mod probe;
mod scenario;
mod stopping;

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![
        Test::correctness(
            "runs_every_job_once_with_all_workers",
            1.5,
            jobs::runs_every_job_once_with_all_workers,
        ),
        Test::correctness(
            "stops_idle_workers_when_the_token_is_cancelled",
            2.0,
            stopping::stops_idle_workers_when_the_token_is_cancelled,
        ),
        Test::correctness(
            "starts_no_step_after_the_cancel",
            2.0,
            stopping::starts_no_step_after_the_cancel,
        ),
        Test::correctness(
            "finishes_in_flight_steps_on_shutdown",
            2.0,
            in_flight::finishes_in_flight_steps_on_shutdown,
        ),
        Test::correctness(
            "shutdown_returns_after_every_worker_ended",
            2.0,
            in_flight::shutdown_returns_after_every_worker_ended,
        ),
        Test::correctness(
            "cleans_up_each_worker_exactly_once",
            2.0,
            cleanup::cleans_up_each_worker_exactly_once,
        ),
        Test::correctness(
            "cleans_up_workers_cancelled_before_they_started",
            1.5,
            cleanup::cleans_up_workers_cancelled_before_they_started,
        ),
        Test::correctness(
            "a_group_token_stops_only_its_group",
            2.0,
            groups::a_group_token_stops_only_its_group,
        ),
    ])
}
