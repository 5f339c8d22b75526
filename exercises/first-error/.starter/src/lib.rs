//! # Stop at the first error: an errgroup with a limit
//!
//! Download 500 files, at most 8 at a time; if one download fails, the whole job has failed, so
//! stop: start no more downloads, cancel the ones under way, and report the error. In Go you
//! would reach for `errgroup` with `SetLimit(8)` and `WithContext`: `g.Go` blocks while 8 calls
//! run, the first error cancels the group's `context`, and `Wait` returns that error — once
//! *every* goroutine has returned, because a goroutine stops only if it checks the `context`.
//! In Rust, a dropped future is never polled again — it stops at the `.await` where it waits,
//! and its drop code runs — so you can promise more: when your function returns, the calls in
//! flight are already gone.
//!
//! Write [`try_map_limited`]. It calls `f` on every item, at most `limit` calls at once, and
//! returns `Ok` with one result per item, **in the order of `items`**, or `Err` with **the first
//! error**, at which it **stops**. The words, precisely:
//!
//! - **A call** starts when you call `f(item)` — not when its future is first polled: `f` may
//!   start work right away (open a connection, spawn a task) — and ends when the future it
//!   returned finishes or is dropped. Call `f` once per item (until you stop).
//! - **At most `limit` at once** (0 is treated as 1): never more than `limit` calls started and
//!   not ended. And **really `limit`**: while items remain, a call ends → a new one starts; don't
//!   wait for a whole batch to finish.
//! - **The first error** is the error of the call that *finished* first with `Err`, in the order
//!   the calls finish (not the order of `items`). Two calls failing at the same instant on two
//!   threads would be a tie; the tests never make one.
//! - **Stop** means three things. No new call once a call has failed: the slot the failed call
//!   frees goes to no other item, and once your code has the error in hand it calls `f` no
//!   more. Every call still in flight is **cancelled** — its future dropped, so its drop
//!   code (closing a connection, releasing a lock) has run — *before* `try_map_limited` returns.
//!   And it returns `Err(first error)` right then, without waiting for those calls to finish.
//! - **A panic** in `f` or in a call's future is a bug, not an error: it propagates —
//!   `try_map_limited` panics too (with any message; what becomes of the other calls then is
//!   not graded). No items: `Ok(vec![])`.
//!
//! The calls may run inside your own future (`futures::stream::FuturesUnordered`: concurrent, on
//! the caller's worker) or as tasks (`runtime::spawn`: in parallel, each cancelled by `abort()`
//! and awaited, or by a `CancellationToken`). Both can pass; the rules above are the same.
//!
//! What the grader measures, and why it can tell: it hands you an `f` whose calls it watches.
//! Each call holds a gauge from the moment `f` is called until its future is gone, so "never more
//! than `limit`" is counted, not timed; and the first `limit` calls wait for one another (a
//! rendezvous): code that runs fewer at once leaves them waiting, gives up after 1.5 seconds,
//! once, and fails. The test decides what each call does by the order the calls *start* (the
//! 3rd call to start fails, the 1st and 2nd never finish until you have returned, …), so any
//! order of starting passes, and it counts the calls started after a call failed. Calls finish
//! in an order the test forces (a call waits for the end of another), never by the clock.
//! Right when you return, it counts the calls whose futures were not dropped yet, and
//! `runtime::num_tasks()`, on a runtime with **one worker**: there, nothing runs while your code
//! runs, so a task you only `abort()`ed, or let go, is still alive when you return — on every
//! run. The only clocks in the tests are the rendezvous' patience and a 2-second limit on calls
//! that should return at once; correct code waits for neither.
//!
//! Read the chapter first (`book/src/best-practices.md`, the section on Go's `errgroup`). Then
//! grade your work with `cargo grade run first-error`; `cargo grade hint first-error` gives
//! hints. You may add private helpers; the signature of `try_map_limited` must stay as it is.

use std::future::Future;

/// Calls `f` on every item of `items`, with at most `limit` calls at once (0 is treated as 1),
/// and returns their results in the order of `items` — or stops at the first error.
///
/// - `Ok(results)`: every call succeeded; `results[i]` is what `f(items[i])` gave. No items:
///   `Ok(vec![])`.
/// - `Err(e)`: `e` is the error of the call that finished first with `Err`. No call starts after
///   that failure; the calls still in flight have been cancelled (their futures dropped) when
///   this returns, and it returns without waiting for them.
///
/// A call lasts from `f(item)` until its future finishes or is dropped; at most `limit` are
/// under way at once, and up to `limit` are while items remain. A panic in `f` propagates. Call
/// it inside the Tasklings runtime (in `runtime::run`, or a task); the future it returns is
/// `Send`, so it can itself be spawned.
pub async fn try_map_limited<T, R, E, F, Fut>(
    items: Vec<T>,
    limit: usize,
    f: F,
) -> Result<Vec<R>, E>
where
    T: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
{
    let _ = &f; // yours to call
    todo!(
        "call f on the {} items, at most {limit} at once, and stop at the first error",
        items.len()
    )
}
