// Passes: plain threads instead of tasks: one blocking-pool task runs a thread scope with a producer thread, `workers` worker threads (each `block_on`s its call of `work`) and the collector, over crossbeam bounded channels; a crossbeam channel of capacity + workers tickets bounds the reorder buffer.
use std::collections::BTreeMap;
use std::future::Future;
use std::thread;

use crossbeam::channel::{bounded, Receiver, Sender as TicketSender};
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
    // The whole pipeline blocks threads, so it runs off the runtime's workers.
    runtime::spawn_blocking(move || run_on_threads(input, options, work, output))
        .await
        .unwrap();
}

fn run_on_threads<T, U, F, Fut>(
    mut input: impl Iterator<Item = T> + Send,
    options: Options,
    work: F,
    output: Sender<U>,
) where
    T: Send,
    U: Send,
    F: Fn(T) -> Fut + Sync,
    Fut: Future<Output = U>,
{
    let workers = options.workers.max(1);
    let window = options.capacity + workers;
    let (give_back, tickets) = bounded::<()>(window);
    for _ in 0..window {
        give_back.send(()).unwrap();
    }
    let (jobs, queue) = bounded::<(usize, T)>(workers);
    let (results, finished) = bounded::<(usize, U)>(workers);
    let work = &work;
    thread::scope(|scope| {
        scope.spawn(move || {
            let mut index = 0;
            while tickets.recv().is_ok() {
                let Some(item) = input.next() else { return };
                if jobs.send((index, item)).is_err() {
                    return;
                }
                index += 1;
            }
        });
        for _ in 0..workers {
            let (queue, results) = (queue.clone(), results.clone());
            scope.spawn(move || {
                for (index, item) in queue.iter() {
                    let out = futures::executor::block_on(work(item));
                    if results.send((index, out)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((queue, results));
        collect(finished, give_back, output);
    });
}

/// Sends the outputs in order, giving a ticket back for each; returns (dropping its channel
/// ends, which stops the others) when the results end or the consumer hangs up.
fn collect<U>(finished: Receiver<(usize, U)>, give_back: TicketSender<()>, output: Sender<U>) {
    let mut waiting = BTreeMap::new();
    let mut next = 0;
    for (index, out) in finished.iter() {
        waiting.insert(index, out);
        while let Some(out) = waiting.remove(&next) {
            if output.blocking_send(out).is_err() {
                return;
            }
            next += 1;
            let _ = give_back.send(());
        }
    }
}
