//! # Build your own WaitGroup
//!
//! Read the chapter first: `book/src/waitgroup.md`. It ends at this exercise.
//! Then grade your work with `cargo grade run wait-group` (and `cargo grade hint wait-group` when
//! stuck).
//!
//! The chapter used `runtime::WaitGroup`; here you build one: Go's `sync.WaitGroup` with an
//! awaitable `wait` — a counter, a list of wakers, and a way to put a thread to sleep. Only this
//! file is yours to change; keep the items below and their signatures exactly as they are, and add
//! whatever private fields, types and helpers you like.
//!
//! ## The API
//!
//! - [`WaitGroup::new`] (and `Default`): a group with a count of zero.
//! - `Clone`: a clone is another handle to the *same* group — `add` on one, `done` on another,
//!   `wait` on a third all see one count. (Keep the state behind an `Arc`.)
//! - [`WaitGroup::add`]`(n)`: the count goes up by `n`.
//! - [`WaitGroup::done`]: the count goes down by one; the `done` that makes it zero wakes every
//!   waiter. `done` with the count already at zero **panics**, as Go's does.
//! - [`WaitGroup::wait`]: a [`Wait`] future that completes once the count is zero — at its first
//!   poll if it is zero already. You write `Wait`'s `Future::poll` by hand: no `async fn`.
//! - [`WaitGroup::wait_blocking`]: the same for a plain thread: blocks it until the count is zero.
//!
//! `WaitGroup` must be `Send + Sync` (threads share it) and `Wait` must be `Send + 'static` (a
//! spawned task owns it): keep a clone of the group's `Arc` in `Wait` rather than a borrow.
//!
//! ## What you build it from
//!
//! std's atomics, `Mutex`, `Condvar` and `Waker`; crossbeam; futures' small pieces
//! (`futures::task::AtomicWaker`, its channels, `futures::executor::block_on`). Not
//! `runtime::WaitGroup`, which is what you are rebuilding: `runtime` is no dependency of this crate
//! (only of its examples and tests), so `use runtime::…` in this file doesn't compile. Try your
//! group in tasks with `cargo run -p wait-group --example group_at_work`.
//!
//! ## What the grader checks, and how
//!
//! The hidden tests poll your `wait()` futures by hand with wakers that count what your code does
//! with them, and read the counts — not a clock:
//!
//! - **The count**: ready at once at zero (also for waits that start after the count got there),
//!   pending until the last `done` (however often polled), panics below zero, clones share it, a
//!   group can be reused after it reached zero.
//! - **Wake-ups**: the last `done` wakes every waiter (64 at once, each with its own waker; eight
//!   threads in `wait_blocking`), and the waker of each future's *latest* poll — tasks move. No
//!   wake-up before the count reaches zero: a future that wakes its own task and returns `Pending`
//!   is a busy loop, and waking every waiter on every `done` polls them once per job.
//! - **No leak**: a `Wait` dropped before it completes (a timeout, a `select!`) takes its waker
//!   back out of the group — no copy kept, no wake-up later — and a future polled a thousand
//!   times keeps one waker, not a thousand.
//! - **No lost wake-up**: the last `done` may run on another thread at any moment, also between
//!   your "is the count zero?" and your "register my waker". A test puts it exactly there on
//!   every run: its waker has another thread call `done()` from inside its `clone`, and waits
//!   for that `done` to return (for a moment only, in case your poll holds a lock `done` needs).
//!   `tests/lost_wakeup_model.rs` shows the same race found by a model checker.
//! - **Under load**: thousands of tasks on a runtime with four workers call `done` while tasks
//!   await `wait()` and threads block in `wait_blocking`, round after round on one group: every
//!   waiter returns, and only after every job of its round.
//! - **No busy-waiting**: threads in `wait_blocking` and tasks awaiting `wait()` burn next to no
//!   CPU while they wait (CPU time per wall time, measured by the timing test).
//!
//! A wait that never returns fails the test after a few seconds, with the Tasklings runtime's
//! task dump showing what was still waiting.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

/// Waits for a collection of tasks or threads to finish: Go's `sync.WaitGroup`.
///
/// Clones are handles to one group: they share one count and one set of waiters.
pub struct WaitGroup {
    // Your fields here.
}

impl WaitGroup {
    /// A group with a count of zero.
    pub fn new() -> Self {
        todo!("a group with a count of zero")
    }

    /// Adds `n` to the count: `n` more jobs to wait for. Call it before starting the jobs.
    pub fn add(&self, n: usize) {
        todo!("add {n} to the count")
    }

    /// One job finished: subtracts one from the count. The `done` that takes the count to zero
    /// wakes every waiter — every pending [`Wait`] future and every thread in
    /// [`wait_blocking`](Self::wait_blocking) — and a `done` that leaves it above zero wakes
    /// nobody.
    ///
    /// # Panics
    /// If the count is already zero (more `done`s than `add`s), as Go's `Done` does.
    pub fn done(&self) {
        todo!("subtract one; wake every waiter when the count reaches zero; panic below zero")
    }

    /// A future that completes once the count is zero (at its first poll, if it is zero already).
    pub fn wait(&self) -> Wait {
        todo!("a Wait future holding a handle to this group")
    }

    /// Blocks the calling thread until the count is zero (returns at once if it is zero already).
    ///
    /// For plain threads: inside a task it would block a worker of the runtime; use
    /// `wait().await` there.
    pub fn wait_blocking(&self) {
        todo!("block this thread until the count is zero, without spinning")
    }
}

impl Default for WaitGroup {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for WaitGroup {
    /// Another handle to the same group: the same count, the same waiters.
    fn clone(&self) -> Self {
        todo!("a handle to the same group")
    }
}

/// The future of [`WaitGroup::wait`]: completes once the group's count is zero.
///
/// A `Wait` that is pending keeps the waker of its latest poll where the last `done` will find
/// it. Dropped before it completes, it takes that waker back out (you'll want `impl Drop for
/// Wait`).
#[must_use = "futures do nothing unless you `.await` them"]
pub struct Wait {
    // Your fields here.
}

impl Future for Wait {
    type Output = ();

    /// `Ready(())` if the count is zero; otherwise keep `cx.waker()` for the last `done` to wake,
    /// and `Pending`. Don't lose the race with a `done` on another thread (see the chapter).
    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let _ = cx;
        todo!("Ready when the count is zero; else register the waker and return Pending")
    }
}
