// Must fail never_runs_more_than_workers_calls_at_once: a dispatcher spawns a task per item (bounded only by the tickets), so up to capacity + workers calls of `work` run at once instead of `workers`.
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc::{self, Sender};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

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
    let room = options.capacity.max(1);
    let tickets = Arc::new(Semaphore::new(options.capacity + options.workers.max(1)));
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
    let mut queue = queue;
    let work = Arc::new(work);
    let dispatcher = runtime::spawn_named("dispatcher", async move {
        let mut tasks = Vec::new();
        while let Some((index, item, ticket)) = queue.recv().await {
            let (work, results) = (Arc::clone(&work), results.clone());
            tasks.push(runtime::spawn(async move {
                let out = work(item).await;
                let _ = results.send((index, out, ticket)).await;
            }));
        }
        for task in tasks {
            task.await.unwrap();
        }
    });
    let handles = vec![dispatcher];
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
