// Must fail no_one_second_window_sees_more_than_per_second_starts: per_second calls per batch, the next batch a second after this one began — timed from before its calls waited for slots, so a late batch and the next start together.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    call_each(urls, max_concurrent, None, fetch).await
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
    call_each(urls, max_concurrent, Some(Limiter::new(per_second)), fetch).await
}

async fn call_each<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    mut limiter: Option<Limiter>,
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
    for (index, url) in urls.into_iter().enumerate() {
        if let Some(limiter) = limiter.as_mut() {
            limiter.before_slot().await;
        }
        let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
        let fetch = Arc::clone(&fetch);
        calls.spawn(async move {
            let output = fetch(url).await;
            drop(permit);
            (index, output)
        });
    }
    while let Some(joined) = calls.join_next().await {
        let (index, output) = joined.unwrap();
        outputs[index] = Some(output);
    }
    outputs.into_iter().map(Option::unwrap).collect()
}

/// per_second starts per batch; the next batch begins a second after this one began waiting for
/// its first slot (not after its first call really started).
struct Limiter {
    per_second: usize,
    in_batch: usize,
    batch_began: Option<Instant>,
}

impl Limiter {
    fn new(per_second: u32) -> Self {
        Limiter {
            per_second: per_second.max(1) as usize,
            in_batch: 0,
            batch_began: None,
        }
    }

    /// Called before a slot is taken: opens a batch, or waits out a full one.
    async fn before_slot(&mut self) {
        if self.in_batch == self.per_second {
            if let Some(began) = self.batch_began {
                tokio::time::sleep_until(began + Duration::from_secs(1)).await;
            }
            self.in_batch = 0;
        }
        if self.in_batch == 0 {
            self.batch_began = Some(Instant::now());
        }
        self.in_batch += 1;
    }
}
