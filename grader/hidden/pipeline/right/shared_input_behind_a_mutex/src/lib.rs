// Passes: no producer and no job channel: each worker takes a ticket, then the next item straight from the input behind a std Mutex (released before any `.await`); a collector puts the outputs back in order.
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::mpsc::{self, Sender};
use tokio::sync::Semaphore;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub workers: usize,
    pub capacity: usize,
}

pub async fn pipeline<T, U, F, Fut>(
    input: impl Iterator<Item = T> + Send + 'static,
    options: Options,
    work: F,
    output: Sender<U>,
) where
    T: Send + 'static,
    U: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = U> + Send + 'static,
{
    let workers = options.workers.max(1);
    let input = Arc::new(Mutex::new(input.enumerate()));
    let tickets = Arc::new(Semaphore::new(options.capacity + workers));
    let work = Arc::new(work);
    let (results, mut finished) = mpsc::channel(workers);
    let mut handles = Vec::new();
    for _ in 0..workers {
        let (input, tickets, work, results) = (
            Arc::clone(&input),
            Arc::clone(&tickets),
            Arc::clone(&work),
            results.clone(),
        );
        handles.push(runtime::spawn(async move {
            loop {
                let Ok(ticket) = Arc::clone(&tickets).acquire_owned().await else {
                    return;
                };
                // The guard is a temporary: dropped at the end of this statement.
                let next = input.lock().unwrap().next();
                let Some((index, item)) = next else { return };
                let out = work(item).await;
                if results.send((index, out, ticket)).await.is_err() {
                    return;
                }
            }
        }));
    }
    drop(results);
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    'collect: while let Some((index, out, ticket)) = finished.recv().await {
        waiting.insert(index, (out, ticket));
        while let Some((out, _ticket)) = waiting.remove(&next) {
            if output.send(out).await.is_err() {
                break 'collect;
            }
            next += 1;
        }
    }
    drop(finished);
    drop(waiting);
    for handle in handles {
        handle.await.unwrap();
    }
}
