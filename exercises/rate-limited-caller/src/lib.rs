//! # Rate-limited caller
//!
//! Go's tutorial ends with a scraper: fetch many urls at once, but not all at once, and not
//! faster than the server allows. Here `fetch` is whatever the caller hands you — an HTTP GET
//! (see `examples/scraper.rs`), a database query, a fake that the tests instrument — and your
//! job is the scheduling around it:
//!
//! - the outputs come back in the order of `urls`, whatever order the calls finish in;
//! - at most `max_concurrent` calls are in flight at once, and a new one starts the moment one
//!   finishes (no batches);
//! - in the rate-limited version, no more than `per_second` calls *start* in any one-second
//!   window — any window, not only windows that begin at a whole second — while still keeping up
//!   that pace.
//!
//! Both functions run under tokio. Use `tokio::time` for waiting (the tests run on tokio's paused
//! clock and fast-forward it), never `std::thread::sleep`. The futures they return must be `Send`,
//! because applications `tokio::spawn` them: don't hold a `std::sync::MutexGuard` across an
//! `.await` (`cargo test -p rate-limited-caller --test send` checks this before you grade; its
//! comment explains the errors it can show). Every call you start has finished when you return.
//!
//! What the grader measures, and why. Each check asks what the code achieves, not how:
//! - *Outputs in the order of `urls`*, each url fetched once, 0 treated as 1.
//! - *In flight*: never more than `max_concurrent` calls at once, `max_concurrent` at once when
//!   there are enough urls, and a new call the moment one finishes — counted by the test's own
//!   `fetch`, not timed.
//! - *The rate*: the start times of every call are checked against every one-second window, not
//!   only whole seconds, under 56 seeded latency profiles on tokio's paused clock (long first
//!   calls, concurrency 1 and many, bursts after idle, calls that end right at a window's edge,
//!   mixes), the same ones on every run. A limiter that counts per fixed window, a token bucket
//!   that starts full, or a sleep per batch gets through some patterns and not others, so the
//!   test tries enough that each fails every time. *Keeping up the pace* is checked too: n
//!   calls must all have started within ceil(n / per_second) seconds when slots allow.
//! - *Nothing left running* after the function returns, and the same over real HTTP on
//!   127.0.0.1 (statuses and errors in order, the concurrency and the rate).
//!
//! Read the chapter first (`book/src/url-fetcher.md`). Then grade your work with
//! `cargo grade run rate-limited-caller`; `cargo grade hint rate-limited-caller` gives hints.

use std::future::Future;

/// Calls `fetch` once per url and returns the outputs in the order of `urls`. At most
/// `max_concurrent` calls are in flight at once (0 is treated as 1), and a new call starts as soon as
/// a slot frees (no batching). Runs under tokio.
pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let _ = fetch;
    todo!(
        "fetch {} urls, at most {max_concurrent} at a time",
        urls.len()
    )
}

/// As `fetch_all`, and also no more than `per_second` calls (0 is treated as 1) start in any
/// window of one second, while keeping up that pace: when slots allow, n calls have all started
/// within ceil(n / per_second) seconds.
pub async fn fetch_all_rate_limited<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    per_second: u32,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let _ = fetch;
    todo!(
        "fetch {} urls, at most {max_concurrent} at a time and {per_second} starts per second",
        urls.len()
    )
}
