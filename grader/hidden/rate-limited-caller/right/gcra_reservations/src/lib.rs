// Passes: GCRA with no burst allowance — each call, once it holds a slot, reserves the "theoretical arrival time" (max(now, previous + 1/per_second)) under a std Mutex that is never held across an .await, then sleeps until it; fetch_all is the same with a zero interval.
use std::future::Future;
use std::sync::{Arc, Mutex};
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
    gcra(urls, max_concurrent, Duration::ZERO, fetch).await
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
    let interval = Duration::from_nanos(1_000_000_000u64.div_ceil(u64::from(per_second.max(1))));
    gcra(urls, max_concurrent, interval, fetch).await
}

/// The generic cell rate algorithm's "theoretical arrival time": the earliest the next call may
/// start. With no burst tolerance, starts are at least `interval` apart.
struct Gcra {
    interval: Duration,
    next: Mutex<Option<Instant>>,
}

impl Gcra {
    /// Reserves a start time; the guard ends before the caller awaits anything.
    fn reserve(&self) -> Instant {
        let mut next = self.next.lock().unwrap();
        let now = Instant::now();
        let at = next.map_or(now, |next| next.max(now));
        *next = Some(at + self.interval);
        at
    }
}

async fn gcra<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    interval: Duration,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    let cell = Arc::new(Gcra {
        interval,
        next: Mutex::new(None),
    });
    let fetch = Arc::new(fetch);
    let mut tasks = JoinSet::new();
    for (index, url) in urls.iter().cloned().enumerate() {
        let (slots, cell, fetch) = (Arc::clone(&slots), Arc::clone(&cell), Arc::clone(&fetch));
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            let at = cell.reserve();
            if at > Instant::now() {
                tokio::time::sleep_until(at).await;
            }
            (index, fetch(url).await)
        });
    }
    let mut outputs: Vec<Option<T>> = urls.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (index, output) = joined.unwrap();
        outputs[index] = Some(output);
    }
    outputs.into_iter().map(Option::unwrap).collect()
}
