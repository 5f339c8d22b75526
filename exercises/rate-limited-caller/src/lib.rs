//! # Rate-limited caller
//!
//! Read the chapter first. Then grade your work with `cargo grade run rate-limited-caller`.

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
