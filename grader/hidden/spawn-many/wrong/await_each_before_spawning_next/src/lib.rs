// Must fail runs_every_task_at_the_same_time: each task is awaited right after it is spawned, so the next one starts only when the previous one has finished — one input at a time.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let mut outputs = Vec::with_capacity(inputs.len());
        for input in inputs {
            let handle = runtime::spawn(f(input));
            outputs.push(handle.await.expect("the task panicked"));
        }
        outputs
    })
}
