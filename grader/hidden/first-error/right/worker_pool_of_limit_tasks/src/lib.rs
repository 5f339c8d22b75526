// Passes: a pool of limit worker tasks that take the next item from a shared queue (unless a worker has already failed) and report on a channel; at the first Err the caller aborts the workers and awaits them.
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use futures::channel::mpsc;
use futures::StreamExt;

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
    let queue = Arc::new(Mutex::new(items.into_iter().enumerate()));
    let failed = Arc::new(AtomicBool::new(false));
    let (report, mut reports) = mpsc::unbounded();
    let workers: Vec<_> = (0..limit.max(1).min(n))
        .map(|_| {
            let (f, queue, failed, report) = (
                Arc::clone(&f),
                Arc::clone(&queue),
                Arc::clone(&failed),
                report.clone(),
            );
            runtime::spawn(async move {
                // SeqCst: a worker that failed stops the others from taking another item.
                while !failed.load(Ordering::SeqCst) {
                    let next = queue.lock().expect("no panic while holding it").next();
                    let Some((i, item)) = next else {
                        break;
                    };
                    let result = f(item).await;
                    if result.is_err() {
                        failed.store(true, Ordering::SeqCst);
                    }
                    let _ = report.unbounded_send((i, result));
                }
            })
        })
        .collect();
    drop(report);

    let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
    for _ in 0..n {
        match reports.next().await {
            Some((i, Ok(result))) => results[i] = Some(result),
            Some((_, Err(error))) => {
                for worker in &workers {
                    worker.abort();
                }
                for worker in workers {
                    let _ = worker.await;
                }
                return Err(error);
            }
            None => {
                for worker in workers {
                    if let Err(join_error) = worker.await {
                        panic!("a call of f panicked: {join_error}");
                    }
                }
                unreachable!("a worker stopped early, yet none panicked");
            }
        }
    }
    Ok(results.into_iter().map(Option::unwrap).collect())
}
