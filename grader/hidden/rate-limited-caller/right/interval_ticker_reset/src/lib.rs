// Passes: a semaphore for the slots and a tokio interval of 1/per_second (rounded up to the nanosecond), reset after every tick so that the next tick is a full period after the start it allowed, however late that start was; one start per tick.
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::{Interval, MissedTickBehavior};

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    dispatch(urls, max_concurrent, None, fetch).await
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
    // Rounded up: 1 s / 3 rounded down would put 4 ticks within 999 999 999 ns.
    let period = Duration::from_nanos(1_000_000_000u64.div_ceil(u64::from(per_second.max(1))));
    let mut ticker = tokio::time::interval(period);
    // No MissedTickBehavior suffices alone: each keeps the old schedule for a tick less than 5 ms
    // late (so the next comes early), and Burst and Skip do for later ones too. Resetting after
    // every tick (below) makes the schedule follow the real starts.
    ticker.set_missed_tick_behavior(MissedTickBehavior::Delay);
    dispatch(urls, max_concurrent, Some(ticker), fetch).await
}

async fn dispatch<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    mut ticker: Option<Interval>,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    let fetch = Arc::new(fetch);
    let mut outputs: Vec<Option<T>> = std::iter::repeat_with(|| None).take(urls.len()).collect();
    let mut running = JoinSet::new();
    for (index, url) in urls.into_iter().enumerate() {
        let slot = Arc::clone(&slots).acquire_owned().await.unwrap();
        if let Some(ticker) = ticker.as_mut() {
            ticker.tick().await;
            ticker.reset();
        }
        let fetch = Arc::clone(&fetch);
        running.spawn(async move {
            let page = fetch(url).await;
            drop(slot);
            (index, page)
        });
    }
    while let Some(finished) = running.join_next().await {
        let (index, page) = finished.unwrap();
        outputs[index] = Some(page);
    }
    outputs.into_iter().map(Option::unwrap).collect()
}
