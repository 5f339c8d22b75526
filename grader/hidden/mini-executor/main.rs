//! Hidden tests of mini-executor: `block_on` and a single-threaded `Executor`.
//!
//! - `block_on`: outputs; one poll per batch of wakes (wakes during the poll included); a wake
//!   from another thread reaches the sleeping thread; no poll without a wake; no spinning.
//! - `executor`: every task runs to completion, also tasks spawned by tasks; `run` returns only
//!   when every task has finished, also when tasks wait for other threads; one poll per batch of
//!   wakes; wakes during a poll are kept; a task nobody woke is not polled; a finished task's
//!   waker wakes nothing; finished tasks are dropped at once (100,000 tasks); no spinning.
//!
//! The futures are instruments (`instruments`): they count their polls and hand their wakers to
//! the test. Every verdict is a count of polls, tasks or live futures. Where a wrong answer
//! hangs (a lost wake), the scenario runs on a thread of its own and the test gives up after
//! `instruments::GRACE`, with a message; correct code never comes near it. The two CPU checks
//! are one-sided ratios of CPU time to wall time.

mod block_on;
mod executor;
mod instruments;

use std::time::Duration;

use probes::harness::{self, Test};

/// Room for a scenario's grace period (`instruments::GRACE`, 2 s; the ping-pong's 3 s) and its
/// pauses, with plenty to spare: a timeout is for code that hangs outside any scenario.
const ROOM_FOR_GRACE: Duration = Duration::from_secs(10);

fn main() {
    harness::main(vec![
        // block_on
        Test::correctness(
            "block_on_returns_the_output",
            1.0,
            block_on::block_on_returns_the_output,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "block_on_polls_once_per_batch_of_wakes",
            1.0,
            block_on::block_on_polls_once_per_batch_of_wakes,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "block_on_wakes_from_another_thread",
            2.0,
            block_on::block_on_wakes_from_another_thread,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "block_on_polls_only_when_woken",
            2.0,
            block_on::block_on_polls_only_when_woken,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::timing(
            "block_on_does_not_spin_while_waiting",
            1.0,
            block_on::block_on_does_not_spin_while_waiting,
        )
        .timeout(ROOM_FOR_GRACE),
        // Executor
        Test::correctness(
            "run_runs_every_task_to_completion",
            1.0,
            executor::run_runs_every_task_to_completion,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "tasks_can_spawn_tasks",
            1.0,
            executor::tasks_can_spawn_tasks,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "run_waits_for_wakes_from_other_threads",
            2.0,
            executor::run_waits_for_wakes_from_other_threads,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "run_polls_a_task_once_per_batch_of_wakes",
            2.0,
            executor::run_polls_a_task_once_per_batch_of_wakes,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "run_keeps_wakes_that_come_during_poll",
            1.0,
            executor::run_keeps_wakes_that_come_during_poll,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "run_never_polls_a_task_nobody_woke",
            2.0,
            executor::run_never_polls_a_task_nobody_woke,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "run_ignores_wakers_of_finished_tasks",
            1.0,
            executor::run_ignores_wakers_of_finished_tasks,
        )
        .timeout(ROOM_FOR_GRACE),
        Test::correctness(
            "run_frees_finished_tasks",
            2.0,
            executor::run_frees_finished_tasks,
        )
        .timeout(Duration::from_secs(30)),
        Test::timing(
            "run_does_not_spin_while_waiting",
            1.0,
            executor::run_does_not_spin_while_waiting,
        )
        .timeout(ROOM_FOR_GRACE),
    ])
}
