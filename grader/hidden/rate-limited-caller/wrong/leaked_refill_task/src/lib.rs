// Must fail rate_limited_leaves_nothing_running_after_return: the bucket's refill task is spawned and never stopped (a dropped JoinHandle detaches). Also fails no_one_second_window_sees_more_than_per_second_starts: a token saved while every slot was busy is spent right before the next refill.
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

/// One token at a time, refilled by a background task every 1/per_second s.
struct Limiter {
    tokens: Arc<Semaphore>,
}

impl Limiter {
    fn new(per_second: u32) -> Self {
        let tokens = Arc::new(Semaphore::new(1));
        let refill = Arc::clone(&tokens);
        let spacing = Duration::from_secs(1) / per_second.max(1);
        tokio::spawn(async move {
            let mut ticks = tokio::time::interval_at(Instant::now() + spacing, spacing);
            loop {
                ticks.tick().await;
                if refill.available_permits() == 0 {
                    refill.add_permits(1);
                }
            }
        });
        Limiter { tokens }
    }

    async fn wait(&mut self) {
        self.tokens.acquire().await.unwrap().forget();
    }
}
