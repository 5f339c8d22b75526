//! # Deadlines
//!
//! A call to a flaky service, done properly: each attempt gets a timeout, a failed attempt is
//! retried after a backoff that doubles up to a cap, with jitter so that many clients don't retry
//! in step — and the whole call has a deadline that nothing runs past. In Go you would carry the
//! deadline in a `context.Context`; here it is a [`tokio::time::Instant`] passed in. Then a poller
//! on a ticker: call something every `period`, and when one call stalls, neither fire the missed
//! calls in a burst afterwards nor let the schedule drift.
//!
//! Write three functions:
//!
//! - [`RetryPolicy::backoff`]: the backoff after the n-th failure, `base · 2^(n−1)`, capped;
//! - [`call_with_retries`]: attempts, per-attempt timeouts, backoff with jitter, the deadline;
//! - [`poll_every`]: calls on a ticker that skips the ticks a slow call missed.
//!
//! Their docs below say *exactly* when each attempt and each call starts: the grader checks
//! those times to the millisecond. Use tokio's clock for all waiting and all time arithmetic
//! (`tokio::time::{sleep, sleep_until, timeout, timeout_at, interval, Instant}`), never
//! `std::thread::sleep` or `std::time::Instant`: the tests run your code on tokio's **paused
//! clock**, where time stands still while any task can run and jumps to the next timer when all
//! are waiting. An hour of retries takes milliseconds there, and every time is exact.
//!
//! What the grader measures, and why it can tell:
//!
//! - **When** each attempt starts and ends, in virtual time, against a model of the rules below.
//!   The attempts are fakes whose outcomes and durations the test scripts; the jitter is a
//!   closure the test passes in, drawing from a seeded generator, so every wait is known in
//!   advance. Waiting too little (no backoff, a `std::thread::sleep` that the paused clock
//!   doesn't see), too much (no cap, ignoring the jitter), or a linear backoff shows up as an
//!   attempt that starts at the wrong millisecond.
//! - **The deadline**: the call never returns later than it, and an attempt running when it
//!   comes is stopped right then.
//! - **Dropped, not abandoned**: each attempt's future holds a token until it is dropped. An
//!   attempt cut short by its timeout must be dropped at that very instant (a `tokio::spawn`ed
//!   attempt whose `JoinHandle` you stop waiting for keeps running — abort it, and await it).
//!   When your function returns, no token is held and no task you spawned is alive, also ten
//!   (virtual) seconds later.
//! - **The ticker**: exact start times of the poller's calls, with calls that take part of a
//!   period and one that stalls for 2.5 periods; and that only one call runs at a time.
//! - Both futures can be `tokio::spawn`ed (they are `Send`); `tests/send.rs` checks that at
//!   compile time, and a hidden test spawns them.
//!
//! Read the chapter first (`book/src/timeouts.md`). Then grade your work with
//! `cargo grade run deadlines`; `cargo grade hint deadlines` gives hints. You may add private
//! helpers; the public items and their signatures must stay as they are.

use std::future::Future;
use std::time::Duration;

use tokio::time::Instant;

/// How [`call_with_retries`] retries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The longest one attempt may run. An attempt still running when it has run this long is
    /// dropped there and then, and counts as failed ([`Failure::TimedOut`]).
    pub attempt_timeout: Duration,
    /// The backoff after the first failed attempt.
    pub base_backoff: Duration,
    /// No backoff is longer than this.
    pub max_backoff: Duration,
    /// How many attempts at most, the first included (0 is treated as 1).
    pub max_attempts: u32,
}

impl RetryPolicy {
    /// The backoff after the `failures`-th failed attempt (counting from 1; 0 is treated as 1):
    /// `base_backoff · 2^(failures − 1)`, but never more than `max_backoff`. With a base of 100 ms
    /// and a cap of 1 s: 100 ms, 200 ms, 400 ms, 800 ms, then 1 s for ever. No overflow and no
    /// panic for any `failures`, `u32::MAX` included.
    pub fn backoff(&self, failures: u32) -> Duration {
        todo!(
            "the backoff after {failures} failure(s): {:?} doubled, at most {:?}",
            self.base_backoff,
            self.max_backoff
        )
    }
}

/// How one attempt failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E> {
    /// The attempt returned `Err(e)`.
    Error(E),
    /// The attempt was still running after `attempt_timeout`, and was dropped.
    TimedOut,
}

/// Why [`call_with_retries`] gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RetryError<E> {
    /// All `max_attempts` attempts failed, before the deadline; `last` is how the last one
    /// failed.
    Exhausted {
        /// Attempts made (`max_attempts`, or 1 when that is 0).
        attempts: u32,
        /// How the last attempt failed.
        last: Failure<E>,
    },
    /// The deadline stopped the call: it came while an attempt ran (which was dropped), or
    /// before the next attempt could start.
    DeadlineExceeded {
        /// Attempts started, the one the deadline cut short included.
        attempts: u32,
    },
}

/// Calls `attempt(1)`, `attempt(2)`, … until one returns `Ok`, within an overall `deadline`, and
/// returns its value.
///
/// Exactly, with times read from tokio's clock (`tokio::time::Instant::now()`):
///
/// 1. Attempt `n` (counting from 1) starts at once: the first when `call_with_retries` is first
///    polled, each next one when the wait in step 4 ends. If the deadline has come
///    (`now >= deadline`), no attempt starts: the call returns
///    `Err(DeadlineExceeded { attempts: n - 1 })`.
/// 2. The attempt runs until it completes, until `policy.attempt_timeout` has passed since it
///    started, or until the deadline — whichever comes first. Cut short, its future is dropped
///    at that instant, so nothing of it keeps running. Cut by the deadline, the call returns
///    `Err(DeadlineExceeded { attempts: n })` right then; cut by its timeout, the attempt
///    failed with [`Failure::TimedOut`].
/// 3. An attempt that returns `Ok(value)` ends the call: `Ok(value)`, at once, and no further
///    attempt. An attempt that returns `Err(e)` failed with [`Failure::Error`]`(e)`.
/// 4. After a failed attempt `n`: if `n` is the last one allowed (`max_attempts`, 0 counting as
///    1), the call returns `Err(Exhausted { attempts: n, last })` at once. Otherwise it computes
///    the wait `jitter(policy.backoff(n))` — `jitter` is called exactly once per wait, with the
///    backoff, and returns how long to wait — and waits that long from the moment attempt `n`
///    ended, then starts attempt `n + 1` (step 1). If the wait would end at or after the
///    deadline, no attempt follows: the call returns `Err(DeadlineExceeded { attempts: n })`,
///    at the latest at the deadline (at once, or after sleeping until the deadline: both are
///    fine).
///
/// So the call never returns later than the deadline, and when it returns, no attempt is still
/// running and no task it spawned is alive. The future it returns is `Send`.
pub async fn call_with_retries<A, Fut, T, E, J>(
    deadline: Instant,
    policy: RetryPolicy,
    jitter: J,
    attempt: A,
) -> Result<T, RetryError<E>>
where
    A: FnMut(u32) -> Fut + Send,
    Fut: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
    J: FnMut(Duration) -> Duration + Send,
{
    let _ = (deadline, jitter, attempt);
    todo!(
        "attempts with a timeout of {:?} and a backoff from {:?} to {:?}, before the deadline",
        policy.attempt_timeout,
        policy.base_backoff,
        policy.max_backoff
    )
}

/// Calls `poll(0)`, `poll(1)`, …, `poll(calls - 1)` one at a time on a ticker of `period`, and
/// returns their outputs in that order.
///
/// The ticks are at `start + k·period` (k = 0, 1, 2, …), `start` being when `poll_every` is first
/// polled. Call 0 starts at once, at `start`. Each next call starts when **both** the previous
/// call has returned **and** the first tick after the previous call's start has come:
///
/// ```text
/// next start = max(previous call's end, first tick later than the previous call's start)
/// ```
///
/// So calls that take less than a period start exactly on the ticks, with no drift however long
/// each takes. A call that overruns (still running at one or more ticks) is followed at once,
/// the moment it returns, by *one* call — the ticks it missed are skipped, not made up for with
/// a burst — and the call after that is back on a tick. With a period of 1 s and a call that
/// starts at 2 s and takes 2.5 s, the next calls start at 4.5 s, 5 s, 6 s, … For any period
/// above 5 ms this is what tokio's `interval` does with `MissedTickBehavior::Skip` (tokio treats
/// a tick at most 5 ms late as on time).
///
/// Returns as soon as the last call has returned; with `calls == 0`, at once and without calling
/// `poll`. `period` must be more than zero (it panics otherwise, as tokio's `interval` does).
/// The future it returns is `Send`.
pub async fn poll_every<P, Fut, T>(period: Duration, calls: usize, poll: P) -> Vec<T>
where
    P: FnMut(usize) -> Fut + Send,
    Fut: Future<Output = T> + Send,
    T: Send,
{
    let _ = poll;
    todo!("{calls} calls, one every {period:?}, skipping missed ticks")
}
