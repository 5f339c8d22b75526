//! # Keep the service responsive
//!
//! Read the chapter first: `book/src/cpu-memory-io.md` (its last section is this exercise). Then
//! grade your work with `cargo grade run keep-responsive`; `cargo grade hint keep-responsive`
//! gives the next hint.
//!
//! [`handle`] is the request handler of a small service running on the Tasklings runtime. For
//! each [`Request`] it loads the user's profile from a database, scores every item of the request,
//! writes a line to an audit log, and answers. The [`Backend`] does the actual work, and two of
//! its three methods are the kind that don't belong in async code as they are:
//!
//! - [`Backend::load_profile`] and [`Backend::audit`] **block**: a synchronous database driver
//!   and a file write, each holding its thread until the disk or the server answers;
//! - [`Backend::score`] is **CPU-heavy**: pure arithmetic, no waiting, but a lot of it — and a
//!   request may carry thousands of items.
//!
//! The handler below already gives the right answers. It calls all three inline, so while it
//! runs, the worker thread that polls it can poll nothing else: on a runtime with one worker,
//! every other request, timer and task of the service stops until this one is done. Your job is to
//! move the work where it belongs, and keep the answers right.
//!
//! What the grader checks, so you know what to build:
//! - **the answers**: `profile` is what `load_profile(user)` returned, `score` the sum of
//!   `score(item)` over the items (as `u64`), and `audit` was called exactly once per request,
//!   with [`audit_line`]`(user, score)`; `load_profile` once per request, `score` once per item;
//! - **blocking calls don't hold a worker**: the grader runs `handle` as a task on a runtime with
//!   **one worker**, beside a *heartbeat* task, and every call of `load_profile` and `audit`
//!   waits until the heartbeat has been polled. That takes microseconds when the worker is free;
//!   when your task holds the worker (it made the call itself, or waits for it with a blocking
//!   `recv()`, `join()` or a spin loop), the heartbeat can't run and the call gives up after two
//!   seconds. This counts polls, not time: no machine is too slow or too fast for it;
//! - **CPU work doesn't hold a worker**: the same heartbeat, for `score`. Either run it off the
//!   worker (on the blocking pool, on rayon with a channel back, on a thread of your own) while
//!   your task waits with `.await` — the first call of `score` off the worker waits for a
//!   heartbeat the same way — or keep it on the worker and give the worker back
//!   (`runtime::yield_now().await`) at least once every [`SCORE_BUDGET`] calls of `score`, so the
//!   heartbeat gets its turn;
//! - **blocking calls run on the runtime's blocking pool** (`runtime::spawn_blocking`): the
//!   grader looks at the thread each call runs on (the pool's threads are named
//!   `<runtime>-blocking`) and at `runtime::dump()` taken during the call (its task shows as
//!   `blocking`). A new thread per call costs a thread start each time and has no bound under
//!   load; rayon's threads are for computing, and a blocked one is one fewer for every `par_iter`
//!   in the process;
//! - **nothing runs after `handle` returns**: every call it started has finished — the audit
//!   line included, even though nothing waits for its result. A `spawn_blocking` whose
//!   `JoinHandle` is dropped keeps running on its own (a detached task).
//!
//! `cargo run -p keep-responsive --example serve` runs your `handle` on one worker beside a
//! ticking task, and prints how often it ticked and which thread ran each call.
//!
//! Keep the names and signatures of the public items exactly as they are; add any private
//! helpers you like. The future of `handle` must be `Send` (the grader spawns it). `runtime`
//! (`spawn_blocking`, `yield_now`, `JoinHandle` is a future), `std::sync::mpsc`, rayon,
//! crossbeam, futures (`futures::channel::oneshot`) and tokio's `sync` module are available.

use std::sync::Arc;

/// At most this many calls of [`Backend::score`] in a row on a worker thread: CPU work that
/// stays on a worker gives the worker back (`runtime::yield_now().await`) at least this often.
pub const SCORE_BUDGET: usize = 100;

/// What the service's work is made of. The grader brings its own implementation, which watches
/// where and how each method is called.
pub trait Backend: Send + Sync + 'static {
    /// The user's profile, from a synchronous database driver: **blocks** its thread until the
    /// database answers.
    fn load_profile(&self, user: u64) -> String;

    /// The score of one item: **CPU-heavy** (pure arithmetic, never waits).
    fn score(&self, item: u64) -> u32;

    /// Appends `line` to the audit log: a synchronous file write that **blocks** its thread.
    fn audit(&self, line: String);
}

/// One request to the service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// Whose request it is.
    pub user: u64,
    /// The items to score (any number, possibly none, possibly repeated).
    pub items: Vec<u64>,
}

/// The service's answer to one [`Request`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    /// The request's `user`.
    pub user: u64,
    /// What [`Backend::load_profile`] returned for `user`.
    pub profile: String,
    /// The sum of [`Backend::score`] over the request's items (0 for none).
    pub score: u64,
}

/// The audit log's line for a request: `user 7: score 1234`.
pub fn audit_line(user: u64, score: u64) -> String {
    format!("user {user}: score {score}")
}

/// Answers `request`: the profile of `request.user` ([`Backend::load_profile`], once), the sum of
/// [`Backend::score`] over `request.items` (once per item), and, once the score is known, one
/// [`Backend::audit`] call with [`audit_line`]`(user, score)` — finished before this returns.
///
/// While it runs, the worker that polls it stays free for other tasks: blocking calls run on the
/// runtime's blocking pool, and the scoring runs either off the workers or in slices of at most
/// [`SCORE_BUDGET`] items between `.await`s that give the worker back.
///
/// # What to change
///
/// This version is correct and stalls its worker three times. Move each piece of work:
///
/// 1. **The two blocking calls** to the blocking pool: `runtime::spawn_blocking(move || …)`
///    returns a `JoinHandle`, a future — `.await` it (that frees the worker while the call runs).
///    The closure must be `'static`: move a clone of the `Arc<B>` into it, not a borrow.
/// 2. **The scoring** off the worker the same way (or onto rayon, or in slices with
///    `runtime::yield_now().await` between them) — and the profile and the score need not wait
///    for each other.
/// 3. **The audit** is awaited too, although its result is `()`: `handle` returns only after the
///    line is written.
pub async fn handle<B: Backend>(backend: Arc<B>, request: Request) -> Response {
    let Request { user, items } = request;
    // Blocks this worker until the database answers.
    let profile = backend.load_profile(user);
    // Computes on this worker without ever reaching an `.await`.
    let score: u64 = items
        .iter()
        .map(|&item| u64::from(backend.score(item)))
        .sum();
    // Blocks this worker again until the line is written.
    backend.audit(audit_line(user, score));
    Response {
        user,
        profile,
        score,
    }
}
