// Must fail no_one_second_window_sees_more_than_per_second_starts: an interval of 1/per_second with MissedTickBehavior::Skip — a late tick and the next on-time one start two calls a moment apart, per_second + 1 in a second.
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
        let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
        if let Some(limiter) = limiter.as_mut() {
            limiter.wait().await;
        }
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

/// One start per tick of an interval of 1/per_second (rounded up), which skips missed ticks
/// instead of bursting them — yet a tick taken late, just before the next one is due, and that
/// next one land a moment apart.
struct Limiter {
    ticks: tokio::time::Interval,
}

impl Limiter {
    fn new(per_second: u32) -> Self {
        let nanos = 1_000_000_000u64.div_ceil(u64::from(per_second.max(1)));
        let mut ticks = tokio::time::interval(Duration::from_nanos(nanos));
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
        Limiter { ticks }
    }

    async fn wait(&mut self) {
        self.ticks.tick().await;
    }
}
