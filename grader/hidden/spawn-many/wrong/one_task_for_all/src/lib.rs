// Must fail spawns_one_task_per_input: one task joins every input's future (futures' join_all): all run at once, but inside a single task, so they share one worker and never run in parallel.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let calls: Vec<Fut> = inputs.into_iter().map(f).collect();
        runtime::spawn(futures::future::join_all(calls))
            .await
            .expect("the task panicked")
    })
}
