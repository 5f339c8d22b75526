// Must not compile against the hidden tests (verdict compile_error): a std::sync::MutexGuard held across .await makes the future !Send, and an application (the over_http tests) spawns it.
use std::collections::VecDeque;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    fetch_all_rate_limited(urls, max_concurrent, u32::MAX, fetch).await
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
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    let starts: Arc<Mutex<VecDeque<Instant>>> = Arc::new(Mutex::new(VecDeque::new()));
    let fetch = Arc::new(fetch);
    let mut handles = Vec::new();
    for url in urls {
        let permit = Arc::clone(&slots).acquire_owned().await.unwrap();
        {
            let mut starts = starts.lock().unwrap();
            if starts.len() == per_second.max(1) as usize {
                let oldest = starts.pop_front().unwrap();
                // The guard is still alive here: the future is no longer Send.
                tokio::time::sleep_until(oldest + Duration::from_secs(1)).await;
            }
            starts.push_back(Instant::now());
        }
        let fetch = Arc::clone(&fetch);
        handles.push(tokio::spawn(async move {
            let output = fetch(url).await;
            drop(permit);
            output
        }));
    }
    let mut outputs = Vec::new();
    for handle in handles {
        outputs.push(handle.await.unwrap());
    }
    outputs
}
