// Passes: bounds the reorder buffer with a `watch` channel instead of a semaphore: the collector publishes how many outputs it has sent, and the producer takes item i only once i < sent + capacity + workers.
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc::{self, Sender};
use tokio::sync::{watch, Mutex};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    pub workers: usize,
    pub capacity: usize,
}

pub async fn pipeline<T, U, F, Fut>(
    mut input: impl Iterator<Item = T> + Send + 'static,
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
    let window = options.capacity + workers;
    let (sent_tx, mut sent_rx) = watch::channel(0usize);
    let (jobs, queue) = mpsc::channel::<(usize, T)>(workers);
    let (results, mut done) = mpsc::channel::<(usize, U)>(workers);

    let producer = runtime::spawn_named("producer", async move {
        for index in 0.. {
            // Err: the collector is gone (its watch::Sender dropped).
            if sent_rx
                .wait_for(|&sent| index < sent + window)
                .await
                .is_err()
            {
                return;
            }
            let Some(item) = input.next() else { return };
            if jobs.send((index, item)).await.is_err() {
                return;
            }
        }
    });
    let queue = Arc::new(Mutex::new(queue));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..workers)
        .map(|n| {
            let (queue, work, results) = (Arc::clone(&queue), Arc::clone(&work), results.clone());
            runtime::spawn_named(format!("worker {n}"), async move {
                loop {
                    let job = queue.lock().await.recv().await;
                    let Some((index, item)) = job else { return };
                    if results.send((index, work(item).await)).await.is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    drop((queue, results));
    let collector = runtime::spawn_named("collector", async move {
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        while let Some((index, out)) = done.recv().await {
            waiting.insert(index, out);
            while let Some(out) = waiting.remove(&next) {
                if output.send(out).await.is_err() {
                    return;
                }
                next += 1;
                sent_tx.send_replace(next);
            }
        }
    });
    producer.await.unwrap();
    for handle in handles {
        handle.await.unwrap();
    }
    collector.await.unwrap();
}
