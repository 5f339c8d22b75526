// Must fail starts_a_call_as_soon_as_a_slot_frees: futures' `buffered(n)` keeps order, but a finished call waiting behind a slow one still holds its slot. Also fails no_one_second_window_sees_more_than_per_second_starts: it notes a start time before the call waited for a slot.
use std::future::Future;

use futures::stream::{self, StreamExt};

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    stream::iter(urls)
        .map(|url| fetch(url))
        .buffered(max_concurrent.max(1))
        .collect()
        .await
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
    let mut starts = std::collections::VecDeque::new();
    let per_second = per_second.max(1) as usize;
    let fetch = &fetch;
    stream::iter(urls)
        .then(move |url| {
            // Pace the creation of calls; `buffered` polls each as soon as it is created.
            let wait = if starts.len() == per_second {
                let oldest: tokio::time::Instant = starts.pop_front().unwrap();
                Some(oldest + std::time::Duration::from_secs(1))
            } else {
                None
            };
            let now = wait.unwrap_or_else(tokio::time::Instant::now);
            starts.push_back(now);
            async move {
                if let Some(at) = wait {
                    tokio::time::sleep_until(at).await;
                }
                url
            }
        })
        .map(|url| fetch(url))
        .buffered(max_concurrent.max(1))
        .collect()
        .await
}
