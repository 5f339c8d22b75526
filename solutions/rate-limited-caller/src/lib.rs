//! # Rate-limited caller — reference solution
//!
//! Two knobs bound how hard we hit a server:
//!
//! - **concurrency**: at most `max_concurrent` calls in flight. A `tokio::sync::Semaphore` with that
//!   many permits does it: a call takes a permit before it starts and gives it back when it ends,
//!   and the next call starts the moment a permit comes back — no batches, no idle slots.
//! - **rate**: at most `per_second` calls *start* in any one-second window. We remember when the
//!   last `per_second` calls started; the next one waits until the oldest of them is a second old.
//!   That is exactly a sliding window. (A token bucket that starts full is not: it lets
//!   `per_second` calls go at once and then refills during the same second.)
//!
//! Each call runs in its own tokio task (so calls also run in parallel on a multi-threaded
//! runtime); a `JoinSet` owns the tasks, and we await every one of them before returning, so
//! nothing is left running behind the caller's back. Outputs go back in the order of `urls` by
//! index, whatever order the calls finish in.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

/// Calls `fetch` once per url and returns the outputs in the order of `urls`. At most
/// `max_concurrent` calls are in flight at once (0 is treated as 1), and a new call starts as soon as
/// a slot frees (no batching). Runs under tokio.
pub async fn fetch_all<F, Fut, T>(urls: Vec<String>, max_concurrent: usize, fetch: F) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    call_each(urls, max_concurrent, None, fetch).await
}

/// As `fetch_all`, and also no more than `per_second` calls (0 is treated as 1) start in any
/// window of one second, while keeping up that pace: when slots allow, n calls have all started
/// within ceil(n / per_second) seconds.
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
    call_each(
        urls,
        max_concurrent,
        Some(StartWindow::new(per_second)),
        fetch,
    )
    .await
}

/// The shared core: one task per url, started when a permit (and, if given, the start window)
/// allows, joined before returning.
async fn call_each<F, Fut, T>(
    urls: Vec<String>,
    max_concurrent: usize,
    mut window: Option<StartWindow>,
    fetch: F,
) -> Vec<T>
where
    F: Fn(String) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let slots = Arc::new(Semaphore::new(max_concurrent.max(1)));
    // Every task calls the same `fetch`: share it instead of requiring `F: Clone`.
    let fetch = Arc::new(fetch);
    let mut outputs: Vec<Option<T>> = urls.iter().map(|_| None).collect();
    let mut calls = JoinSet::new();

    for (index, url) in urls.into_iter().enumerate() {
        // An owned permit can move into the task; dropping it (when the call ends) frees the slot
        // and wakes this loop at once.
        let permit = Arc::clone(&slots)
            .acquire_owned()
            .await
            .expect("the semaphore is never closed");
        // Take the slot first, then wait for our turn in the window: the time the window records
        // is then the time the call really starts, not a time before it waited for a slot.
        if let Some(window) = window.as_mut() {
            window.wait_for_turn().await;
        }
        let fetch = Arc::clone(&fetch);
        calls.spawn(async move {
            let output = fetch(url).await;
            drop(permit);
            (index, output)
        });
    }

    // Finished calls may have been waiting here while we dispatched; collect all of them.
    while let Some(joined) = calls.join_next().await {
        match joined {
            Ok((index, output)) => outputs[index] = Some(output),
            // We never abort a task, so a JoinError here is a panic inside `fetch`: pass it on to
            // our caller as if `fetch` had been called directly.
            Err(error) => std::panic::resume_unwind(error.into_panic()),
        }
    }
    outputs
        .into_iter()
        .map(|output| output.expect("every url's task was joined"))
        .collect()
}

/// A strict sliding window over call starts: no more than `per_second` starts in any one second.
struct StartWindow {
    per_second: usize,
    /// When the most recent (at most `per_second`) calls started, oldest first.
    recent_starts: VecDeque<Instant>,
}

impl StartWindow {
    const LENGTH: Duration = Duration::from_secs(1);

    fn new(per_second: u32) -> Self {
        let per_second = usize::try_from(per_second.max(1)).unwrap_or(usize::MAX);
        StartWindow {
            per_second,
            recent_starts: VecDeque::new(),
        }
    }

    /// Waits until one more start keeps every one-second window at `per_second` starts or fewer,
    /// and records that start.
    ///
    /// With `per_second` starts already in the window, the next may start once the oldest of them
    /// is a full second old: a one-second window that holds this start then begins after `oldest`,
    /// so it holds at most the other `per_second - 1` recent starts plus this one. The clock is `tokio::time`, which tests can pause and fast-forward
    /// (`std::time::Instant` and `std::thread::sleep` they cannot — and `std::thread::sleep` would
    /// block every task on this thread).
    async fn wait_for_turn(&mut self) {
        if self.recent_starts.len() == self.per_second {
            let oldest = self
                .recent_starts
                .pop_front()
                .expect("the window is full, so not empty");
            tokio::time::sleep_until(oldest + Self::LENGTH).await;
        }
        self.recent_starts.push_back(Instant::now());
    }
}
