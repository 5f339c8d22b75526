// Passes: a task of its own spawns the others (and calls f there: f moves into it) and awaits them — n + 1 tasks; runtime::run's future only awaits that one.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let spawner = runtime::spawn(async move {
            let mut handles = Vec::new();
            for input in inputs {
                handles.push(runtime::spawn(f(input)));
            }
            let mut outputs = Vec::new();
            for handle in handles {
                outputs.push(handle.await.expect("the task panicked"));
            }
            outputs
        });
        spawner.await.expect("the spawning task panicked")
    })
}
