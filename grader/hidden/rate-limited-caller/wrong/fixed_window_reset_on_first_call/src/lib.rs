// Must fail no_one_second_window_sees_more_than_per_second_starts: fixed one-second windows, a new one opened by the first call after the last ended — when slow calls hold the slots, per_second calls start at the end of one window and per_second more at the start of the next.
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

/// Fixed one-second windows: count the starts since the window began; a call arriving after the
/// window has ended opens a new one; a call finding the window full waits for it to end and opens
/// the next.
struct Limiter {
    per_second: usize,
    window: Option<Instant>,
    count: usize,
}

impl Limiter {
    const SECOND: Duration = Duration::from_secs(1);

    fn new(per_second: u32) -> Self {
        Limiter {
            per_second: per_second.max(1) as usize,
            window: None,
            count: 0,
        }
    }

    async fn wait(&mut self) {
        let now = Instant::now();
        match self.window {
            Some(began) if now - began < Self::SECOND => {
                if self.count == self.per_second {
                    tokio::time::sleep_until(began + Self::SECOND).await;
                    self.window = Some(Instant::now());
                    self.count = 0;
                }
            }
            _ => {
                self.window = Some(now);
                self.count = 0;
            }
        }
        self.count += 1;
    }
}
