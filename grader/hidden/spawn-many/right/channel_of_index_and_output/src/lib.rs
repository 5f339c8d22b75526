// Passes: each task sends (index, output) on an async channel; outputs are put at their index as they arrive, in whatever order the tasks finish.
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
        let (tx, mut rx) = mpsc::unbounded();
        for (index, input) in inputs.into_iter().enumerate() {
            let (tx, call) = (tx.clone(), f(input));
            runtime::spawn(async move {
                let output = call.await;
                tx.unbounded_send((index, output))
                    .expect("the receiver waits for every output");
            });
        }
        drop(tx); // the stream ends when the last task's sender is gone
        let mut outputs: Vec<Option<Fut::Output>> = (0..n).map(|_| None).collect();
        while let Some((index, output)) = rx.next().await {
            outputs[index] = Some(output);
        }
        outputs
            .into_iter()
            .map(|output| output.expect("a task ended without sending (it panicked)"))
            .collect()
    })
}
