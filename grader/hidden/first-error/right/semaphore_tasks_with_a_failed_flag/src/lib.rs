// Passes: spawns a task per item up front; each takes a tokio Semaphore permit before calling f, skips its call if a flag says a call failed (the failing task sets it before giving its permit back), and reports on a channel; at the first Err the caller aborts every task and awaits them all.
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use futures::channel::mpsc;
use futures::StreamExt;
use tokio::sync::Semaphore;

pub async fn try_map_limited<T, R, E, F, Fut>(
    items: Vec<T>,
    limit: usize,
    f: F,
) -> Result<Vec<R>, E>
where
    T: Send + 'static,
    R: Send + 'static,
    E: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<R, E>> + Send + 'static,
{
    let n = items.len();
    let f = Arc::new(f);
    let slots = Arc::new(Semaphore::new(limit.max(1)));
    let failed = Arc::new(AtomicBool::new(false));
    let (report, mut reports) = mpsc::unbounded();
    let handles: Vec<_> = items
        .into_iter()
        .enumerate()
        .map(|(i, item)| {
            let (f, slots, failed, report) = (
                Arc::clone(&f),
                Arc::clone(&slots),
                Arc::clone(&failed),
                report.clone(),
            );
            runtime::spawn(async move {
                // Declared first, dropped last: the slot is given back after the flag is set.
                let _slot = slots
                    .acquire()
                    .await
                    .expect("the semaphore is never closed");
                // SeqCst: the flag must be seen by the next holder of this slot.
                if failed.load(Ordering::SeqCst) {
                    return;
                }
                let result = f(item).await;
                if result.is_err() {
                    failed.store(true, Ordering::SeqCst);
                }
                let _ = report.unbounded_send((i, result));
            })
        })
        .collect();
    // Only the tasks hold senders now: the channel ends when every task has.
    drop(report);

    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    for _ in 0..n {
        match reports.next().await {
            Some((i, Ok(result))) => results[i] = Some(result),
            Some((_, Err(error))) => {
                for handle in &handles {
                    handle.abort();
                }
                // An aborted task's handle completes only once its future has been dropped.
                for handle in handles {
                    let _ = handle.await;
                }
                return Err(error);
            }
            // Every task ended, some without a report: one panicked.
            None => {
                for handle in handles {
                    if let Err(join_error) = handle.await {
                        panic!("a call of f panicked: {join_error}");
                    }
                }
                unreachable!("a task ended without reporting, yet none panicked");
            }
        }
    }
    Ok(results.into_iter().map(Option::unwrap).collect())
}
