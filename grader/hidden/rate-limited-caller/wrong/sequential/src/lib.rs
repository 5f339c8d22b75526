// Must fail runs_max_concurrent_calls_at_once, starts_a_call_as_soon_as_a_slot_frees, keeps_max_concurrent_http_requests_in_flight: one call at a time.
use std::future::Future;
use std::time::Duration;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, _max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut outputs = Vec::new();
    for url in urls {
        outputs.push(fetch(url).await);
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
    let spacing = Duration::from_secs(1) / per_second.max(1);
    let mut outputs = Vec::new();
    for url in urls {
        let next = tokio::time::Instant::now() + spacing;
        outputs.push(fetch(url).await);
        tokio::time::sleep_until(next).await;
    }
    outputs
}
