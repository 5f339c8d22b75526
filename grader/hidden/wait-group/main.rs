//! Hidden tests of wait-group: a WaitGroup built by hand.
//!
//! - `polling`: `wait()` polled by hand with counting wakers ([`probes::WakerProbe`]): ready at
//!   zero, pending until the last `done`, woken only then (no self-wake busy loop), every waiter
//!   woken, the waker of the latest poll woken, no waker kept by dropped or re-polled futures,
//!   clones sharing one count, `done` below zero panicking, reuse after zero.
//! - `blocking`: `wait_blocking` on threads (returns after the last `done`, every thread woken),
//!   and the CPU that waiting threads and tasks burn.
//! - `races`: lost wake-ups, forced on every run by a waker whose clone calls the last `done`.
//! - `stress`: thousands of tasks on a 4-worker runtime, waiting tasks and threads, many rounds.
//!
//! Verdicts are counts (wakes, live waker copies, jobs seen finished), never a stopwatch reading.
//! A wait that never returns fails after a few seconds with a message and the runtime's task dump
//! instead of running into the test's timeout.
//!
//! The exercise crate can't reach `runtime::WaitGroup`: `runtime` is only a dev-dependency (these
//! tests use it to run tasks), so a submission that re-exports or wraps it doesn't compile.

mod blocking;
mod polling;
mod races;
mod stress;
mod support;

use std::time::Duration;

use probes::harness::{self, Test};

/// The API the crate documents, checked at compile time: handles that threads share and that
/// move into tasks, and a wait future that a spawned task can own.
const _: () = {
    const fn shareable<T: Send + Sync + Clone + Default + 'static>() {}
    const fn spawnable<T: std::future::Future<Output = ()> + Send + 'static>() {}
    shareable::<wait_group::WaitGroup>();
    spawnable::<wait_group::Wait>();
};

/// Tests that may wait out a hang detector (`support::HANG`) on wrong code get room for it.
const ROOM_FOR_A_HANG: Duration = Duration::from_secs(15);

fn main() {
    harness::main(vec![
        Test::correctness(
            "wait_is_ready_at_once_when_the_count_is_zero",
            1.0,
            polling::wait_is_ready_at_once_when_the_count_is_zero,
        )
        .timeout(ROOM_FOR_A_HANG),
        Test::correctness(
            "wait_is_pending_until_the_last_done",
            1.0,
            polling::wait_is_pending_until_the_last_done,
        ),
        Test::correctness(
            "wait_is_woken_only_when_the_count_reaches_zero",
            1.0,
            polling::wait_is_woken_only_when_the_count_reaches_zero,
        ),
        Test::correctness(
            "done_below_zero_panics",
            1.0,
            polling::done_below_zero_panics,
        ),
        Test::correctness(
            "clones_share_one_count",
            1.0,
            polling::clones_share_one_count,
        ),
        Test::correctness("wakes_every_waiter", 1.5, polling::wakes_every_waiter),
        Test::correctness(
            "wakes_the_waker_of_the_latest_poll",
            1.0,
            polling::wakes_the_waker_of_the_latest_poll,
        ),
        Test::correctness(
            "dropped_waiters_leave_no_waker_behind",
            1.5,
            polling::dropped_waiters_leave_no_waker_behind,
        ),
        Test::correctness(
            "a_group_can_be_reused_after_reaching_zero",
            1.0,
            polling::a_group_can_be_reused_after_reaching_zero,
        )
        .timeout(ROOM_FOR_A_HANG),
        Test::correctness(
            "wait_blocking_returns_after_the_last_done",
            1.0,
            blocking::wait_blocking_returns_after_the_last_done,
        )
        .timeout(ROOM_FOR_A_HANG),
        Test::correctness(
            "wait_blocking_wakes_every_thread",
            1.0,
            blocking::wait_blocking_wakes_every_thread,
        )
        .timeout(ROOM_FOR_A_HANG),
        Test::correctness(
            "no_lost_wake_up_when_the_count_reaches_zero_during_registration",
            2.0,
            races::no_lost_wake_up_when_the_count_reaches_zero_during_registration,
        )
        .timeout(ROOM_FOR_A_HANG),
        Test::correctness(
            "counts_thousands_of_tasks_on_several_workers",
            2.0,
            stress::counts_thousands_of_tasks_on_several_workers,
        )
        .timeout(ROOM_FOR_A_HANG),
        Test::timing(
            "waits_without_burning_cpu",
            1.5,
            blocking::waits_without_burning_cpu,
        )
        .timeout(ROOM_FOR_A_HANG),
    ])
}
