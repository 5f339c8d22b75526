//! Hidden tests of worker-pool: `Pool` (`new`, `submit`, `shutdown`), `JobHandle`, `run_all`.
//!
//! - `results`: each handle gives its own job's output (several tasks submitting at once, zeros
//!   counting as one); a panic comes back as `JobError::Panicked` with the panic's text.
//! - `workers`: N jobs at once (a rendezvous), never more (a gauge over 40 gated jobs), exactly
//!   N worker tasks (`runtime::metrics().spawned` over the pool's life, `runtime::num_tasks()`
//!   while it works), and still N workers after panics and after dropped handles.
//! - `queue`: `submit` returns at once while the queue has room, stays pending while it is full
//!   (polled a hundred times), is woken when a worker takes a job out of it, and queues nothing
//!   when it is dropped before it completes (a caller that gives up).
//! - `shutdown`: pending while jobs run or wait, handles working meanwhile and afterwards, every
//!   queued job run, and no task of the pool left when it returns.
//! - `fan`: `run_all` keeps the order of the jobs and runs them side by side.
//!
//! Jobs wait at gates the test opens, so the test knows which jobs run and which wait at every
//! step. Scenarios that check that something has *not* happened (a submit that stays pending, a
//! shutdown that doesn't return, a pool that doesn't start a 4th job) run on a runtime with one
//! worker thread, where giving every other task a few turns is enough for a pool to do what it
//! does at once — so wrong code fails on every run, not on unlucky ones (`support`). The clock
//! only bounds how long wrong code makes a test wait (a rendezvous' 1.5 s, a 4 s limit on a
//! future correct code completes at once); no verdict compares durations.

mod fan;
mod queue;
mod results;
mod shutdown;
mod support;
mod workers;

use std::time::Duration;

use probes::harness::{self, Test};

/// Room for wrong code to wait out a few of the test's limits before it fails.
const ROOM: Duration = Duration::from_secs(25);

fn main() {
    harness::main(vec![
        Test::correctness(
            "runs_every_job_and_returns_its_output",
            1.0,
            results::runs_every_job_and_returns_its_output,
        )
        .timeout(ROOM),
        Test::correctness("runs_n_jobs_at_once", 1.5, workers::runs_n_jobs_at_once)
            .timeout(ROOM),
        Test::correctness(
            "never_runs_more_than_n_jobs_at_once",
            1.5,
            workers::never_runs_more_than_n_jobs_at_once,
        )
        .timeout(ROOM),
        Test::correctness(
            "spawns_exactly_n_worker_tasks",
            1.5,
            workers::spawns_exactly_n_worker_tasks,
        )
        .timeout(ROOM),
        Test::correctness(
            "submit_waits_while_the_queue_is_full",
            2.0,
            queue::submit_waits_while_the_queue_is_full,
        )
        .timeout(ROOM),
        Test::correctness(
            "a_submit_given_up_submits_nothing",
            1.0,
            queue::a_submit_given_up_submits_nothing,
        )
        .timeout(ROOM),
        Test::correctness(
            "a_panic_comes_back_as_an_error_with_its_message",
            1.5,
            results::a_panic_comes_back_as_an_error_with_its_message,
        )
        .timeout(ROOM),
        Test::correctness(
            "a_panic_leaves_n_workers_running",
            1.5,
            workers::a_panic_leaves_n_workers_running,
        )
        .timeout(ROOM),
        Test::correctness(
            "dropping_a_handle_does_not_cancel_its_job",
            1.0,
            workers::dropping_a_handle_does_not_cancel_its_job,
        )
        .timeout(ROOM),
        Test::correctness(
            "shutdown_runs_every_queued_job_then_returns",
            2.0,
            shutdown::shutdown_runs_every_queued_job_then_returns,
        )
        .timeout(ROOM),
        Test::correctness(
            "shutdown_leaves_no_task_behind",
            1.5,
            shutdown::shutdown_leaves_no_task_behind,
        )
        .timeout(ROOM),
        Test::correctness(
            "run_all_returns_results_in_job_order",
            1.0,
            fan::run_all_returns_results_in_job_order,
        )
        .timeout(ROOM),
        Test::correctness(
            "run_all_runs_the_jobs_side_by_side",
            1.0,
            fan::run_all_runs_the_jobs_side_by_side,
        )
        .timeout(ROOM),
    ])
}
