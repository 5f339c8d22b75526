// Must fail returns_the_outputs_in_input_order: every task sends its output on one channel, and the outputs are collected in the order they arrive — the order the tasks finished in.
use std::future::Future;

use futures::channel::mpsc;
use futures::StreamExt;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let n = inputs.len();
        let (tx, rx) = mpsc::unbounded();
        for input in inputs {
            let (tx, call) = (tx.clone(), f(input));
            runtime::spawn(async move {
                let _ = tx.unbounded_send(call.await);
            });
        }
        drop(tx);
        rx.take(n).collect().await
    })
}
