// Must fail bounds_items_in_flight_when_the_consumer_stalls: unbounded channels and no tickets: the producer takes the whole input at once, however slow the consumer.
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Arc;

use tokio::sync::mpsc::{self, Sender};
use tokio::sync::Mutex;

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
    let (jobs, queue) = mpsc::unbounded_channel::<(usize, T)>();
    let (results, mut done) = mpsc::unbounded_channel::<(usize, U)>();

    let producer = runtime::spawn_named("producer", async move {
        let mut index = 0;
        loop {
            let Some(item) = input.next() else { return };
            if jobs.send((index, item)).is_err() {
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
                    let job = queue.lock().await.recv().await;
                    let Some((index, item)) = job else { return };
                    let out = work(item).await;
                    if results.send((index, out)).is_err() {
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
        while let Some((index, out)) = done.recv().await {
            waiting.insert(index, out);
            while let Some(out) = waiting.remove(&next) {
                if output.send(out).await.is_err() {
                    return;
                }
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
