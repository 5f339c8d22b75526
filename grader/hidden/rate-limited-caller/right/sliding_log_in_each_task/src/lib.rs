// Passes: one task per url spawned up front; each takes its slot, then its turn in a sliding log of start times kept behind a tokio Mutex (held across the wait, which is fine: it is an async lock).
use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    run_tasks(urls, max_concurrent, None, fetch).await
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
    let log = StartLog {
        per_second: per_second.max(1) as usize,
        starts: Mutex::new(VecDeque::new()),
    };
    run_tasks(urls, max_concurrent, Some(Arc::new(log)), fetch).await
}

/// The start times of the last `per_second` calls, oldest first.
struct StartLog {
    per_second: usize,
    starts: Mutex<VecDeque<Instant>>,
}

impl StartLog {
    /// Waits until one more start leaves every one-second window with at most `per_second`, and
    /// notes it. The lock is held while waiting, so calls take their turns one after another.
    async fn take_turn(&self) {
        let mut starts = self.starts.lock().await;
        if starts.len() == self.per_second {
            let oldest = starts.pop_front().unwrap();
            tokio::time::sleep_until(oldest + Duration::from_secs(1)).await;
        }
        starts.push_back(Instant::now());
    }
}

async fn run_tasks<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    log: Option<Arc<StartLog>>,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    let fetch = Arc::new(fetch);
    let mut tasks = JoinSet::new();
    let count = urls.len();
    for (index, url) in urls.into_iter().enumerate() {
        let slots = Arc::clone(&slots);
        let log = log.clone();
        let fetch = Arc::clone(&fetch);
        tasks.spawn(async move {
            let _slot = slots.acquire_owned().await.unwrap();
            if let Some(log) = log {
                log.take_turn().await;
            }
            (index, fetch(url).await)
        });
    }
    let mut outputs: Vec<(usize, T)> = Vec::with_capacity(count);
    while let Some(done) = tasks.join_next().await {
        outputs.push(done.unwrap());
    }
    outputs.sort_by_key(|(index, _)| *index);
    outputs.into_iter().map(|(_, output)| output).collect()
}
