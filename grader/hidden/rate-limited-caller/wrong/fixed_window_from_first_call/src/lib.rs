// Must fail no_one_second_window_sees_more_than_per_second_starts: fixed one-second windows counted from the first call ([k s, k+1 s) after it), per_second starts in each — two windows' starts can meet at their shared edge.
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

/// Fixed one-second windows counted from the first call: window k is [first + k s, first + k+1 s);
/// at most per_second starts per window.
struct Limiter {
    per_second: usize,
    first: Option<Instant>,
    window: u64,
    count: usize,
}

impl Limiter {
    fn new(per_second: u32) -> Self {
        Limiter {
            per_second: per_second.max(1) as usize,
            first: None,
            window: 0,
            count: 0,
        }
    }

    async fn wait(&mut self) {
        let first = *self.first.get_or_insert_with(Instant::now);
        let mut window = (Instant::now() - first).as_secs();
        if window == self.window && self.count == self.per_second {
            window += 1;
            tokio::time::sleep_until(first + Duration::from_secs(window)).await;
        }
        if window != self.window {
            self.window = window;
            self.count = 0;
        }
        self.count += 1;
    }
}
