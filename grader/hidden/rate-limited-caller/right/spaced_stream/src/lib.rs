// Passes: no tasks, one stream: the urls are released one every 1/per_second (rounded up) by tokio::time::sleep_until on a running "next allowed start", and buffer_unordered(max_concurrent) pulls the next url only when a slot is free — so a url's release is its call's start.
use std::future::Future;
use std::time::Duration;

use futures::stream::{self, StreamExt};
use tokio::time::Instant;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fetch_spaced(urls, max_concurrent, Duration::ZERO, fetch).await
}

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
    let spacing = Duration::from_nanos(1_000_000_000u64.div_ceil(u64::from(per_second.max(1))));
    fetch_spaced(urls, max_concurrent, spacing, fetch).await
}

/// Starts are at least `spacing` apart, so any one-second window holds at most
/// ceil(1 s / spacing) of them.
async fn fetch_spaced<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    spacing: Duration,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let count = urls.len();
    let released = stream::unfold(
        (urls.into_iter().enumerate(), None::<Instant>),
        move |(mut rest, next_allowed)| async move {
            let (index, url) = rest.next()?;
            // Only sleep when it is early: tokio's timer rounds a deadline up to the next
            // millisecond, so even a deadline of "now" would wait.
            if let Some(next_allowed) = next_allowed.filter(|&at| at > Instant::now()) {
                tokio::time::sleep_until(next_allowed).await;
            }
            let next_allowed = (!spacing.is_zero()).then(|| Instant::now() + spacing);
            Some(((index, url), (rest, next_allowed)))
        },
    );
    let mut outputs: Vec<(usize, T)> = released
        .map(|(index, url)| {
            let call = fetch(url);
            async move { (index, call.await) }
        })
        .buffer_unordered(max_concurrent.max(1))
        .collect()
        .await;
    debug_assert_eq!(outputs.len(), count);
    outputs.sort_by_key(|(index, _)| *index);
    outputs.into_iter().map(|(_, output)| output).collect()
}
