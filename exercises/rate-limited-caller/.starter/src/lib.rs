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
