// Must fail spawns_one_task_per_input: the futures are joined inside runtime::run's own future without spawning any task — concurrent on one thread, but no task per input.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(futures::future::join_all(inputs.into_iter().map(f)))
}
