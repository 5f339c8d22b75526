// Must fail starts_a_call_as_soon_as_a_slot_frees: max_concurrent calls, wait for all of them, next batch.
use std::future::Future;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut outputs = Vec::new();
    for batch in urls.chunks(max_concurrent.max(1)) {
        let handles: Vec<_> = batch
            .iter()
            .map(|url| tokio::spawn(fetch(url.clone())))
            .collect();
        for handle in handles {
            outputs.push(handle.await.unwrap());
        }
    }
    outputs
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
    // Batches of at most per_second, one batch per second: the rate is right, the slots idle.
    let batch_size = max_concurrent.max(1).min(per_second.max(1) as usize);
    let mut outputs = Vec::new();
    for batch in urls.chunks(batch_size) {
        let second = tokio::time::Instant::now() + std::time::Duration::from_secs(1);
        let handles: Vec<_> = batch
            .iter()
            .map(|url| tokio::spawn(fetch(url.clone())))
            .collect();
        for handle in handles {
            outputs.push(handle.await.unwrap());
        }
        tokio::time::sleep_until(second).await;
    }
    outputs
}
