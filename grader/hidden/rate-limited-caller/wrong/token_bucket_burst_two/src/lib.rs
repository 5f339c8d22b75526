// Must fail no_one_second_window_sees_more_than_per_second_starts: a token bucket that starts full with a burst of only two still lets per_second + 1 calls start within one second.
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

/// A token bucket that refills at per_second tokens a second, holds at most two tokens and starts
/// full: "a little burst is fine".
struct Limiter {
    tokens: f64,
    per_second: f64,
    last: Instant,
}

impl Limiter {
    const BURST: f64 = 2.0;

    fn new(per_second: u32) -> Self {
        Limiter {
            tokens: Self::BURST,
            per_second: f64::from(per_second.max(1)),
            last: Instant::now(),
        }
    }

    async fn wait(&mut self) {
        loop {
            let now = Instant::now();
            let refilled = (now - self.last).as_secs_f64() * self.per_second;
            self.tokens = (self.tokens + refilled).min(Self::BURST);
            self.last = now;
            if self.tokens >= 1.0 {
                self.tokens -= 1.0;
                return;
            }
            // At least a millisecond: a sleep rounded down to zero wouldn't move the clock.
            let missing = (1.0 - self.tokens) / self.per_second;
            let nap = Duration::from_secs_f64(missing).max(Duration::from_millis(1));
            tokio::time::sleep(nap).await;
        }
    }
}
