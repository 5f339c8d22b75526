// Passes: a hand-written Future scores 50 items per poll and wakes itself for the next 50 (cooperative, without yield_now); profile and audit on spawn_blocking, joined with futures::join!.
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

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
/// Items scored per poll.
const PER_POLL: usize = 50;

/// Scores `items` a few at a time, giving the worker back between polls.
struct Scoring<B> {
    backend: Arc<B>,
    items: Vec<u64>,
    next: usize,
    sum: u64,
}

impl<B: Backend> Future for Scoring<B> {
    type Output = u64;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<u64> {
        let this = &mut *self; // Scoring is Unpin: all its fields are
        let end = (this.next + PER_POLL).min(this.items.len());
        for &item in &this.items[this.next..end] {
            this.sum += u64::from(this.backend.score(item));
        }
        this.next = end;
        if this.next == this.items.len() {
            return Poll::Ready(this.sum);
        }
        cx.waker().wake_by_ref(); // poll me again, after the others had their turn
        Poll::Pending
    }
}

pub async fn handle<B: Backend>(backend: Arc<B>, request: Request) -> Response {
    let Request { user, items } = request;
    let loader = Arc::clone(&backend);
    let scoring = Scoring {
        backend: Arc::clone(&backend),
        items,
        next: 0,
        sum: 0,
    };
    let (profile, score) = futures::join!(
        runtime::spawn_blocking(move || loader.load_profile(user)),
        scoring
    );
    let profile = profile.unwrap_or_else(|error| panic!("{error}"));
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
