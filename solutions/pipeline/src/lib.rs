//! # Channels and select: a pipeline — reference solution
//!
//! Three kinds of task joined by bounded tokio channels: a producer, `workers` workers sharing
//! one job queue, and a collector. The order comes from Go's "channel of channels" idiom: for
//! each item the producer makes a one-shot *slot* (a `oneshot` channel), sends the item with the
//! slot's sending half to the workers, and the slot's receiving half to the collector, in input
//! order. The collector waits for the slots one by one, so it sends the outputs in input order
//! without a reorder buffer: a finished output waits in its slot.
//!
//! The slots channel also bounds what is in flight. Every taken item has its slot either in
//! that channel (at most `capacity + workers`), in the collector's hands (one: the output it is
//! waiting for, or sending), or is the one item the producer holds while it waits for room:
//! `capacity + workers + 2` at most, however slow any one item is. The job queue needs no room
//! of its own: its items are counted by their slots.
//!
//! Closing runs down the line: when the input ends the producer returns and drops both its
//! `Sender`s; the workers see the job queue closed and return (dropping the slot senders with
//! their jobs); the collector sees the slots channel closed and returns. When the consumer hangs
//! up, it runs back up the line: the collector's send fails and it returns, dropping the slots
//! receiver; the producer's next send fails and it returns, dropping the job queue's sender.
//! `pipeline` awaits every task, so nothing it spawned outlives it.

use std::future::Future;
use std::sync::Arc;

use runtime::JoinHandle;
use tokio::sync::mpsc::{self, Receiver, Sender};
use tokio::sync::{oneshot, Mutex};

/// The size of a pipeline.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Options {
    /// How many calls of `work` run at once (0 is treated as 1).
    pub workers: usize,
    /// Room for items waiting between the stages (0: none, like Go's unbuffered channel). With
    /// `workers` it sets the limit of items in flight: `capacity + workers + 2`.
    pub capacity: usize,
}

/// An item on its way to a worker, with the slot its output goes into.
type Job<T, U> = (T, oneshot::Sender<U>);

/// Runs every item of `input` through `work`, `options.workers` calls at once, and sends the
/// outputs on `output` in the order of `input`.
///
/// - Each item is taken from `input` once and given to `work` once; each output is sent once.
/// - At most `options.workers` calls of `work` run at once (0 is treated as 1), and that many
///   do when enough items are waiting.
/// - At most `options.capacity + options.workers + 2` items are in flight: taken from `input`,
///   and their output not yet sent on `output` (see the crate docs). When `output` is full, the
///   pipeline stops taking input.
/// - Returns once `input` has ended and every output has been sent — or, if the receiver of
///   `output` is dropped, soon after: it takes no more input then.
/// - When it returns, nothing it started is still running.
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
    // Never 0 (tokio's `channel(0)` panics): a worker is always there to take a job.
    let (jobs, queue) = mpsc::channel::<Job<T, U>>(workers);
    let (slots, filled_in_order) = mpsc::channel(options.capacity + workers);

    let producer = runtime::spawn_named("pipeline producer", produce(input, jobs, slots));
    // tokio's mpsc has one receiver: the workers share it, each holding the lock only to take a
    // job.
    let queue = Arc::new(Mutex::new(queue));
    let work = Arc::new(work);
    let workers: Vec<JoinHandle<()>> = (0..workers)
        .map(|i| {
            let job_loop = work_on(Arc::clone(&queue), Arc::clone(&work));
            runtime::spawn_named(format!("pipeline worker {i}"), job_loop)
        })
        .collect();
    drop(queue); // only the workers hold the job queue now
    let collector = runtime::spawn_named("pipeline collector", collect(filled_in_order, output));

    // Nothing outlives the call: wait for every task. A task that panicked (a `work` that
    // panicked) makes this call panic with its message.
    let mut failures = Vec::new();
    for handle in std::iter::once(producer).chain(workers).chain([collector]) {
        if let Err(failed) = handle.await {
            failures.push(failed.to_string());
        }
    }
    assert!(failures.is_empty(), "pipeline task failed: {failures:?}");
}

/// Takes the items in order; for each, reserves its place in the output order (the slot's
/// receiver, to the collector) before handing it to a worker. Returns when the input ends, or
/// when a send fails because the collector or every worker has stopped.
async fn produce<T, U>(
    input: impl Iterator<Item = T>,
    jobs: Sender<Job<T, U>>,
    slots: Sender<oneshot::Receiver<U>>,
) {
    for item in input {
        let (slot, filled) = oneshot::channel();
        if slots.send(filled).await.is_err() {
            return; // the collector stopped: the consumer hung up
        }
        if jobs.send((item, slot)).await.is_err() {
            return;
        }
    }
} // `jobs` and `slots` dropped: the workers and the collector see the end of the line

/// One worker: takes a job, runs `work` on it, fills the job's slot; returns when the job queue
/// is closed and empty.
async fn work_on<T, U, F, Fut>(queue: Arc<Mutex<Receiver<Job<T, U>>>>, work: Arc<F>)
where
    F: Fn(T) -> Fut,
    Fut: Future<Output = U>,
{
    loop {
        // The guard is a temporary of this statement: released before the work starts.
        let job = queue.lock().await.recv().await;
        let Some((item, slot)) = job else { return };
        // Err: the collector stopped waiting for this slot (the consumer hung up). Drop it.
        let _ = slot.send(work(item).await);
    }
}

/// Waits for the slots in input order and sends each output on. Returns when the slots channel
/// closes, or when the consumer hangs up (a failed send).
async fn collect<U>(mut filled_in_order: Receiver<oneshot::Receiver<U>>, output: Sender<U>) {
    while let Some(filled) = filled_in_order.recv().await {
        // Err: the slot's sender was dropped unfilled — its worker's `work` panicked.
        let Ok(value) = filled.await else { return };
        if output.send(value).await.is_err() {
            return; // the consumer dropped its receiver
        }
    }
}
