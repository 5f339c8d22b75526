//! # Keep the service responsive — reference solution
//!
//! Chapter: `book/src/cpu-memory-io.md`.
//!
//! Each piece of work goes to the runtime's blocking pool with `runtime::spawn_blocking`, and the
//! task `.await`s its `JoinHandle`: while a closure runs on a pool thread, the task is parked at
//! that `.await` and the worker polls whatever else is ready. The profile and the score don't
//! depend on each other, so both closures start before either is awaited; the audit needs the
//! score, so it comes last — and is awaited too, so that nothing this handler started is still
//! running when it returns.

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
pub async fn handle<B: Backend>(backend: Arc<B>, request: Request) -> Response {
    let Request { user, items } = request;
    // Both start now, on pool threads; the closures own what they use ('static).
    let profile = runtime::spawn_blocking({
        let backend = Arc::clone(&backend);
        move || backend.load_profile(user)
    });
    let score = runtime::spawn_blocking({
        let backend = Arc::clone(&backend);
        move || -> u64 {
            items
                .iter()
                .map(|&item| u64::from(backend.score(item)))
                .sum()
        }
    });
    // Parked here, not blocked: the worker runs other tasks until each closure is done.
    let profile = joined(profile.await);
    let score = joined(score.await);
    let line = audit_line(user, score);
    // Awaited although it returns (): the line is written before we answer.
    joined(runtime::spawn_blocking(move || backend.audit(line)).await);
    Response {
        user,
        profile,
        score,
    }
}

/// The closure's result; a panic inside it becomes a panic here, with its message.
fn joined<T>(result: Result<T, runtime::JoinError>) -> T {
    result.unwrap_or_else(|error| panic!("{error}"))
}
