// Must fail returns_outputs_in_the_order_of_urls (and the other order checks): outputs in the order calls finish.
use std::future::Future;
use std::sync::Arc;

use futures::stream::{self, StreamExt};

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    stream::iter(urls)
        .map(|url| fetch(url))
        .buffer_unordered(max_concurrent.max(1))
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
    // Each call waits for its turn in a sliding window before it starts; finishes in any order.
    let window = Arc::new(tokio::sync::Mutex::new(std::collections::VecDeque::new()));
    let per_second = per_second.max(1) as usize;
    let fetch = Arc::new(fetch);
    stream::iter(urls)
        .map(|url| {
            let window = Arc::clone(&window);
            let fetch = Arc::clone(&fetch);
            async move {
                {
                    let mut starts = window.lock().await;
                    if starts.len() == per_second {
                        let oldest: tokio::time::Instant = starts.pop_front().unwrap();
                        tokio::time::sleep_until(oldest + std::time::Duration::from_secs(1)).await;
                    }
                    starts.push_back(tokio::time::Instant::now());
                }
                fetch(url).await
            }
        })
        .buffer_unordered(max_concurrent.max(1))
        .collect()
        .await
}
