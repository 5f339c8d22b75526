// Passes: no tasks and no channels of its own: `stream::iter(input).map(work).buffered(workers)` runs `workers` calls at once and yields their outputs in input order, sent on as they come.
use std::future::Future;

use futures::stream::{self, StreamExt};
use tokio::sync::mpsc::Sender;

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
    // `buffered(n)` keeps at most n calls alive, finished ones waiting for their turn included:
    // n + 1 items in flight at most (with the one being sent), within capacity + workers + 2.
    let mut outputs = stream::iter(input)
        .map(work)
        .buffered(options.workers.max(1));
    while let Some(out) = outputs.next().await {
        if output.send(out).await.is_err() {
            return; // dropping `outputs` drops the calls still running
        }
    }
}
