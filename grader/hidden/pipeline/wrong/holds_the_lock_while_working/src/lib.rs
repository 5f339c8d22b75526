// Must fail runs_workers_calls_at_once: each worker keeps the job queue's lock while it awaits `work`, so the other workers wait for the lock and one call runs at a time.
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc::{self, Sender};
use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};

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
    let room = options.capacity.max(1);
    let tickets = Arc::new(Semaphore::new(options.capacity + workers));
    let (jobs, queue) = mpsc::channel::<(usize, T, OwnedSemaphorePermit)>(room);
    let (results, mut done) = mpsc::channel::<(usize, U, OwnedSemaphorePermit)>(room);

    let producer = runtime::spawn_named("producer", async move {
        let mut index = 0;
        loop {
            let Ok(ticket) = Arc::clone(&tickets).acquire_owned().await else {
                return;
            };
            let Some(item) = input.next() else { return };
            if jobs.send((index, item, ticket)).await.is_err() {
                return;
            }
            index += 1;
        }
    });
    let queue = Arc::new(Mutex::new(queue));
    let work = Arc::new(work);
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (queue, work, results) = (Arc::clone(&queue), Arc::clone(&work), results.clone());
            runtime::spawn_named("worker", async move {
                loop {
                    let mut jobs = queue.lock().await;
                    let Some((index, item, ticket)) = jobs.recv().await else {
                        return;
                    };
                    let out = work(item).await;
                    drop(jobs);
                    if results.send((index, out, ticket)).await.is_err() {
                        return;
                    }
                }
            })
        })
        .collect();
    drop(results);
    drop(queue); // the workers own the job queue now: when they stop, the producer's send fails
    let collector = runtime::spawn_named("collector", async move {
        let mut waiting = BTreeMap::new();
        let mut next = 0;
        while let Some((index, out, ticket)) = done.recv().await {
            waiting.insert(index, (out, ticket));
            while let Some((out, ticket)) = waiting.remove(&next) {
                if output.send(out).await.is_err() {
                    return;
                }
                drop(ticket);
                next += 1;
            }
        }
    });
    producer.await.unwrap();
    for handle in handles {
        handle.await.unwrap();
    }
    collector.await.unwrap();
}
