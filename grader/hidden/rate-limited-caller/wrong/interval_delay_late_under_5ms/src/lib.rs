// Must fail no_one_second_window_sees_more_than_per_second_starts: one start per tick of an interval of 1/per_second with MissedTickBehavior::Delay — yet tokio counts a tick less than 5 ms late as on time and keeps the old schedule, so the next tick comes less than a period after it.
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
    // Delay: a tick more than 5 ms late pushes the next one a full period after it; one less
    // late keeps the old schedule.
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
