//! Reference solution of spawn-many: every task spawned first, each `JoinHandle` kept in a `Vec`,
//! then the handles awaited in the order of the inputs.

use std::future::Future;

/// Runs `f(input)` for every input, each as its own task on the Tasklings runtime, all at the
/// same time, and returns their outputs in the order of `inputs`.
pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        // Spawn them all first: from here on every task runs, whatever we await.
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|input| runtime::spawn(f(input)))
            .collect();
        // Then wait for each in input order. A task that finished early keeps its output in its
        // handle until we get to it, so the order of finishing doesn't matter.
        let mut outputs = Vec::with_capacity(handles.len());
        for (index, handle) in handles.into_iter().enumerate() {
            match handle.await {
                Ok(output) => outputs.push(output),
                Err(error) => panic!("the task of input {index} failed: {error}"),
            }
        }
        outputs
    })
}
