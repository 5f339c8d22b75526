//! # The life of a task: first success — reference solution
//!
//! Spawn every attempt, then wait for the handles all at once (a `FuturesUnordered` over
//! `&mut JoinHandle`, so the handles stay ours), in the order the tasks finish. The first
//! `Ok(Ok(v))` wins. A failure goes in its attempt's slot, so the list comes out in input order
//! whatever order the attempts finished in; a panic arrives as a `JoinError` carrying its
//! message, never as a panic of ours.
//!
//! Then the losers: `abort()` each unfinished handle, and await it. `abort()` only asks — the
//! runtime drops the task at its next turn — while the awaited handle yields `Err(aborted)` only
//! after the task's future (and everything it held) has been dropped. So when we return, no task
//! of ours is alive and every loser's `Drop` code has run. Dropping the handles instead would
//! detach the losers: they would run on behind the caller's back.

use std::future::Future;

use futures::stream::{FuturesUnordered, StreamExt};
use runtime::JoinHandle;

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
    let n = attempts.len();
    // Every attempt is running before we wait for any of them.
    let mut handles: Vec<JoinHandle<Result<T, E>>> =
        attempts.into_iter().map(runtime::spawn).collect();
    let mut finished = vec![false; n];
    let mut failures: Vec<Option<Failure<E>>> = (0..n).map(|_| None).collect();
    let mut winner = None;
    {
        // `&mut JoinHandle` is a future too: wait for all of them at once, in the order they
        // finish, and keep the handles to abort the losers afterwards.
        let mut pending: FuturesUnordered<_> = handles
            .iter_mut()
            .enumerate()
            .map(|(i, handle)| async move { (i, handle.await) })
            .collect();
        while let Some((i, joined)) = pending.next().await {
            finished[i] = true;
            match joined {
                Ok(Ok(value)) => {
                    winner = Some(value);
                    break;
                }
                Ok(Err(error)) => failures[i] = Some(Failure::Err(error)),
                Err(join_error) => {
                    let message = join_error.panic_message().map(String::from);
                    failures[i] = Some(Failure::Panicked(message));
                }
            }
        }
    }
    // The losers: ask each to stop, then wait until it has been dropped. `abort()` alone returns
    // before the task is gone; its handle yields `Err(aborted)` only after its future was dropped.
    for (handle, done) in handles.iter().zip(&finished) {
        if !*done {
            handle.abort();
        }
    }
    for (handle, done) in handles.iter_mut().zip(&finished) {
        if !*done {
            // Aborted (or finished just before the abort): either way it is over.
            let _ = handle.await;
        }
    }
    match winner {
        Some(value) => Ok(value),
        None => Err(failures
            .into_iter()
            .map(|failure| failure.expect("without a winner, every attempt finished"))
            .collect()),
    }
}
