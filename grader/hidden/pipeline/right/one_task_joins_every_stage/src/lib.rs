// Passes: spawns nothing: the producer, the workers and the collector are futures joined inside the pipeline's own future (`futures::join!`, `join_all`), over tokio channels, ordered by per-item oneshot slots.
use std::future::Future;

use futures::future::join_all;
use tokio::sync::mpsc::{self, Sender};
use tokio::sync::{oneshot, Mutex};

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
    let (jobs, queue) = mpsc::channel::<(T, oneshot::Sender<U>)>(1);
    let (slots, mut in_order) = mpsc::channel::<oneshot::Receiver<U>>(options.capacity + workers);
    let queue = Mutex::new(queue);

    let producer = async move {
        for item in input {
            let (slot, filled) = oneshot::channel();
            if slots.send(filled).await.is_err() || jobs.send((item, slot)).await.is_err() {
                return;
            }
        }
    };
    let worker = || async {
        loop {
            let job = queue.lock().await.recv().await;
            let Some((item, slot)) = job else { return };
            let _ = slot.send(work(item).await);
        }
    };
    let collector = async move {
        while let Some(filled) = in_order.recv().await {
            let Ok(out) = filled.await else { return };
            if output.send(out).await.is_err() {
                return;
            }
        }
    };
    futures::join!(
        producer,
        join_all((0..workers).map(|_| worker())),
        collector
    );
}
