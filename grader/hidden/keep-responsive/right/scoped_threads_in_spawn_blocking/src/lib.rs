// Passes: one blocking-pool closure splits the scoring over four scoped threads (the pool thread waits for them, not the worker); profile and audit on spawn_blocking, awaited in turn.
use std::sync::Arc;
use std::thread;

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
pub async fn handle<B: Backend>(backend: Arc<B>, request: Request) -> Response {
    let Request { user, items } = request;
    let loader = Arc::clone(&backend);
    let profile = runtime::spawn_blocking(move || loader.load_profile(user))
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    let scorer = Arc::clone(&backend);
    let score = runtime::spawn_blocking(move || -> u64 {
        let per_thread = items.len().div_ceil(4).max(1);
        thread::scope(|s| {
            let parts: Vec<_> = items
                .chunks(per_thread)
                .map(|part| {
                    let scorer = &scorer;
                    s.spawn(move || {
                        part.iter()
                            .map(|&i| u64::from(scorer.score(i)))
                            .sum::<u64>()
                    })
                })
                .collect();
            parts.into_iter().map(|p| p.join().unwrap()).sum()
        })
    })
    .await
    .unwrap_or_else(|error| panic!("{error}"));
    let line = audit_line(user, score);
    runtime::spawn_blocking(move || backend.audit(line))
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    Response {
        user,
        profile,
        score,
    }
}
