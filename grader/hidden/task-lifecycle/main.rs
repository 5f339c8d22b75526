//! Hidden tests of task-lifecycle: `first_success`.
//!
//! - `outcomes`: what comes back — the first attempt to *finish* with Ok, failures in the order of
//!   the attempts, a panic as `Failure::Panicked` with its message, no waiting for the rest.
//! - `lifecycle`: what is left behind — nothing: every attempt is a task of its own, and when the
//!   call returns, `runtime::num_tasks()` is back where it was and every loser's future (with the
//!   token it holds) has been dropped.
//!
//! `scripted` builds attempts whose finishing order is fixed by events (one attempt's end, a gate
//! the test opens after the call), never by the clock. The one clock is a 2-second limit on calls
//! whose winner succeeds at once (`returns_as_soon_as_one_succeeds`, the rendezvous in
//! `runs_each_attempt_as_its_own_task`): only wrong code waits it out. Leftover losers are
//! counted under 60 seeded schedules of the deterministic runtime (`probes::explore`: a failure
//! names its seed) and on a one-worker runtime, where an abort merely requested is still undone
//! at return on every run.

mod lifecycle;
mod outcomes;
mod scripted;

use probes::harness::{self, Test};

fn main() {
    harness::main(vec![
        Test::correctness(
            "a_success_after_failures_wins",
            1.0,
            outcomes::a_success_after_failures_wins,
        ),
        Test::correctness(
            "returns_every_failure_in_input_order",
            1.0,
            outcomes::returns_every_failure_in_input_order,
        ),
        Test::correctness(
            "a_panic_is_a_failure_with_its_message",
            1.5,
            outcomes::a_panic_is_a_failure_with_its_message,
        ),
        Test::correctness(
            "no_attempts_is_an_empty_failure_list",
            0.5,
            outcomes::no_attempts_is_an_empty_failure_list,
        ),
        Test::correctness(
            "returns_as_soon_as_one_succeeds",
            1.5,
            outcomes::returns_as_soon_as_one_succeeds,
        ),
        Test::correctness(
            "aborts_the_losers_before_returning",
            2.0,
            lifecycle::aborts_the_losers_before_returning,
        ),
        Test::correctness(
            "runs_each_attempt_as_its_own_task",
            1.0,
            lifecycle::runs_each_attempt_as_its_own_task,
        ),
    ])
}
