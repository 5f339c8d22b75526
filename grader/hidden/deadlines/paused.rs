//! Running learner code on tokio's paused clock, and printing virtual times.
//!
//! The clock is tokio's, paused from the start (`probes::clock::paused_runtime`): it stands still
//! while any task can run and jumps to the next timer when all are waiting. Every time the tests
//! record is exact — whole milliseconds from the start, since every duration in the scripts is —
//! and no machine load can shift it. Code that blocks the thread instead (`std::thread::sleep`)
//! stops real time, not tokio's: its waits look like no wait at all, and the real time the run
//! took is the tell-tale, added to failure messages.

use std::future::Future;
use std::panic::{self, AssertUnwindSafe};
use std::time::Duration;

/// How a run on the paused clock ended.
pub struct Run<T> {
    pub output: T,
    /// Real (wall-clock) time the run took. Only ever used to add a hint to a failure message.
    pub real_time: Duration,
}

/// Runs `body` on a fresh current-thread tokio runtime whose clock starts paused, and gives it
/// ten hours of virtual time (the scripts' longest deadline is a minute; an attempt that never
/// answers is awaited for ever only by code that ignores both the timeout and the deadline).
/// Panics with a message for the learner if it panics or doesn't finish. `what` names the call
/// under test, e.g. "call_with_retries(…)".
pub fn run_paused<T, Fut>(what: &str, body: impl FnOnce() -> Fut) -> Run<T>
where
    Fut: Future<Output = T>,
{
    const VIRTUAL_LIMIT: Duration = Duration::from_secs(10 * 3600);
    let runtime = probes::clock::paused_runtime();
    let real_start = std::time::Instant::now();
    let result = panic::catch_unwind(AssertUnwindSafe(|| {
        runtime.block_on(async { tokio::time::timeout(VIRTUAL_LIMIT, body()).await })
    }));
    let real_time = real_start.elapsed();
    drop(runtime);
    match result {
        Ok(Ok(output)) => Run { output, real_time },
        Ok(Err(_elapsed)) => panic!(
            "{what} had not returned after ten hours of (virtual) tokio time: does it await an \
             attempt without its timeout, or ignore the deadline?"
        ),
        Err(payload) => panic!(
            "{what} panicked: {}",
            payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("(a panic without a message)")
        ),
    }
}

/// A hint to append to a failure when real time passed although the clock is paused.
pub fn blocking_hint(real_time: Duration) -> String {
    if real_time >= Duration::from_millis(400) {
        format!(
            " This run took {:.1} s of real time although tokio's clock is paused (correct code \
             takes milliseconds): something blocks the thread instead of awaiting — \
             std::thread::sleep? It doesn't move tokio's clock, so to the test the wait never \
             happened. Use tokio::time::sleep or sleep_until.",
            real_time.as_secs_f64()
        )
    } else {
        String::new()
    }
}

/// A virtual time (since the test began) or a duration, in seconds with millisecond precision.
pub fn secs(at: Duration) -> String {
    format!("{:.3} s", at.as_secs_f64())
}

/// `secs` of an optional time, "never" for `None`.
pub fn secs_or_never(at: Option<Duration>) -> String {
    at.map_or_else(|| "never".to_owned(), secs)
}

/// Milliseconds, as a `Duration`.
pub const fn ms(millis: u64) -> Duration {
    Duration::from_millis(millis)
}
