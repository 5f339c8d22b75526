//! # The life of a task: first success
//!
//! Ask three mirrors for the same file and keep the first answer that arrives; a mirror that
//! answers with an error, or whose code panics, is just one mirror fewer. Once you have an
//! answer, the other requests are waste: stop them, and make sure they are really gone before
//! you return. In Go you would start goroutines, read the first good answer from a channel and
//! cancel a `context` for the rest — and hope they notice. Here every ending of a task from the
//! chapter shows up at once: finished, panicked (a `JoinError` with its message), aborted, and
//! the one to avoid, detached.
//!
//! Write [`first_success`]:
//!
//! - it runs every attempt as **its own task** on the Tasklings runtime (`runtime::spawn`), all at
//!   once, and returns the `Ok` value of the first attempt to **finish** with `Ok` — not the first
//!   in the list: an attempt that never finishes must not keep you waiting once another has
//!   succeeded;
//! - when none succeeds, it returns every failure, **in the order of `attempts`** (not the order
//!   they finished in): `Failure::Err(e)` for an attempt that returned `Err(e)`,
//!   `Failure::Panicked(message)` for one that panicked. A panicking attempt never takes the
//!   caller down;
//! - when it returns, **no task it spawned is still alive**: the attempts still running when
//!   the winner arrived (the *losers*) have been aborted, and their futures have been dropped —
//!   so their destructors (`Drop` of whatever they held: a connection, a lock, a temporary
//!   file) have run. `runtime::num_tasks()` is back where it was before the call.
//!
//! What the grader measures, and why it can tell: it hands you attempts whose finishing order it
//! controls (an attempt waits for a signal that the test, or another attempt's end, gives), so no
//! verdict depends on which worker happened to be faster. Each attempt holds a token from the
//! moment it is created until its future is dropped; right when `first_success` returns, the test
//! counts the tokens still held and compares `runtime::num_tasks()` with its value before the
//! call. That is how "the losers are gone" is checked — by counting, never by timing — on a
//! runtime with one worker, where nothing else runs while your code does: a loser you only asked
//! to stop is still there when you return, on every run. The one clock in the tests is a 2-second
//! limit on a call whose winner succeeds at once (code that waits for the attempts in list order
//! never returns there). Inside each attempt the test reads `runtime::num_tasks()` while all of
//! them are running, to see that they run as tasks.
//!
//! Read the chapter first (`book/src/lifecycle.md`), especially what `abort()` promises and what
//! it doesn't. Then grade your work with `cargo grade run task-lifecycle`;
//! `cargo grade hint task-lifecycle` gives hints. You may add private helpers; `Failure` and
//! the signature of `first_success` must stay as they are.

use std::future::Future;

/// Why one attempt produced no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure<E> {
    /// The attempt finished with `Err(e)`.
    Err(E),
    /// The attempt's task panicked. The message is the one `JoinError::panic_message` gives:
    /// `Some` for `panic!("…")`, `None` when the panic carried something other than a string.
    Panicked(Option<String>),
}

/// Runs every attempt as its own task on the current Tasklings runtime and returns the value of
/// the first one to finish with `Ok`.
///
/// - `Ok(value)`: the first attempt to succeed, in the order the attempts *finish*.
/// - `Err(failures)`: no attempt succeeded; one `Failure` per attempt, in the order of
///   `attempts` (so `failures[i]` is what attempt `i` did). No attempts: `Err(vec![])`.
///
/// A panic in an attempt is a `Failure::Panicked`, never a panic of `first_success`. When it
/// returns, every task it spawned has ended — the losers aborted *and* dropped — so
/// `runtime::num_tasks()` is what it was before the call. Call it from inside the runtime (in
/// `runtime::run`, or a task); the future it returns is `Send`, so it can itself be spawned.
pub async fn first_success<F, T, E>(attempts: Vec<F>) -> Result<T, Vec<Failure<E>>>
where
    F: Future<Output = Result<T, E>> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    todo!(
        "spawn the {} attempts, return the first Ok, abort and await the rest",
        attempts.len()
    )
}
