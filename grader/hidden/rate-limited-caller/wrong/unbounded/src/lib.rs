// Must fail never_has_more_than_max_concurrent_calls_in_flight, rate_limited_keeps_max_concurrent_calls_in_flight, fetches_pages_over_http_with_each_status_or_error_in_order: every call at once.
use std::future::Future;
use std::time::Duration;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, _max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let handles: Vec<_> = urls
        .into_iter()
        .map(|url| tokio::spawn(fetch(url)))
        .collect();
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}

pub async fn fetch_all_rate_limited<F, Fut, T>(
    urls: Vec<String>,
    _max_concurrent: usize,
    per_second: u32,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    // Evenly spaced starts (a correct rate), but no bound on calls in flight.
    let mut ticks = tokio::time::interval(Duration::from_secs(1) / per_second.max(1));
    let mut handles = Vec::new();
    for url in urls {
        ticks.tick().await;
        handles.push(tokio::spawn(fetch(url)));
    }
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}
