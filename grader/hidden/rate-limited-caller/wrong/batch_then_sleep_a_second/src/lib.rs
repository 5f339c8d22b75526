// Must fail no_one_second_window_sees_more_than_per_second_starts: per_second calls spawned, then a second's sleep, then the next batch — but a spawned call still waits for its slot inside its task, so calls of two batches start together once slots free.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let batch = urls.len().max(1);
    call_in_batches(urls, max_concurrent, batch, None, fetch).await
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
    let batch = per_second.max(1) as usize;
    let pause = Some(Duration::from_secs(1));
    call_in_batches(urls, max_concurrent, batch, pause, fetch).await
}

/// Spawns `batch` tasks, sleeps `pause`, spawns the next `batch`; each task takes a slot, then
/// calls.
async fn call_in_batches<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    batch: usize,
    pause: Option<Duration>,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    let fetch = Arc::new(fetch);
    let mut outputs: Vec<Option<T>> = urls.iter().map(|_| None).collect();
    let mut calls = JoinSet::new();
    let indexed: Vec<(usize, String)> = urls.into_iter().enumerate().collect();
    for (number, chunk) in indexed.chunks(batch).enumerate() {
        if let (Some(pause), true) = (pause, number > 0) {
            tokio::time::sleep(pause).await;
        }
        for (index, url) in chunk.iter().cloned() {
            let slots = Arc::clone(&slots);
            let fetch = Arc::clone(&fetch);
            calls.spawn(async move {
                let _slot = slots.acquire_owned().await.unwrap();
                (index, fetch(url).await)
            });
        }
    }
    while let Some(joined) = calls.join_next().await {
        let (index, output) = joined.unwrap();
        outputs[index] = Some(output);
    }
    outputs.into_iter().map(Option::unwrap).collect()
}
