// Must fail no_one_second_window_sees_more_than_per_second_starts: a bucket of per_second tokens filled up every whole second — a fixed window by another name.
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

/// A bucket of per_second tokens, starting full and filled up again every whole second after
/// the first call (the refill is computed on each call, so no task is left behind).
struct Limiter {
    per_second: usize,
    tokens: usize,
    next_refill: Option<Instant>,
}

impl Limiter {
    fn new(per_second: u32) -> Self {
        let per_second = per_second.max(1) as usize;
        Limiter {
            per_second,
            tokens: per_second,
            next_refill: None,
        }
    }

    async fn wait(&mut self) {
        let mut next_refill = *self
            .next_refill
            .get_or_insert_with(|| Instant::now() + Duration::from_secs(1));
        if self.tokens == 0 && Instant::now() < next_refill {
            tokio::time::sleep_until(next_refill).await;
        }
        while Instant::now() >= next_refill {
            self.tokens = self.per_second;
            next_refill += Duration::from_secs(1);
        }
        self.next_refill = Some(next_refill);
        self.tokens -= 1;
    }
}
