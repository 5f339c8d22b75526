// Passes: the rate as a second semaphore of per_second permits, each taken when a call starts and given back exactly one second later — a token bucket whose tokens come back one second after they were spent, not on a clock of its own.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    bounded(urls, max_concurrent, None, fetch).await
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
    let starts = Arc::new(Semaphore::new(per_second.max(1) as usize));
    bounded(urls, max_concurrent, Some(starts), fetch).await
}

enum Done<T> {
    Call(usize, T),
    /// A start permit given back, one second after its call started.
    Returned,
}

async fn bounded<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    starts: Option<Arc<Semaphore>>,
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
    let mut set = JoinSet::new();
    for (index, url) in urls.into_iter().enumerate() {
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        if let Some(starts) = &starts {
            let start: OwnedSemaphorePermit = Arc::clone(starts).acquire_owned().await.unwrap();
            let back_at = Instant::now() + Duration::from_secs(1);
            set.spawn(async move {
                tokio::time::sleep_until(back_at).await;
                drop(start);
                Done::Returned
            });
        }
        let fetch = Arc::clone(&fetch);
        set.spawn(async move {
            let output = fetch(url).await;
            drop(slot);
            Done::Call(index, output)
        });
    }
    while let Some(done) = set.join_next().await {
        if let Done::Call(index, output) = done.unwrap() {
            outputs[index] = Some(output);
        }
    }
    outputs.into_iter().map(Option::unwrap).collect()
}
