// Must fail runs_every_task_at_the_same_time: one block_on per input, each waiting for its own task before the loop moves on to the next input.
use std::future::Future;

use runtime::Runtime;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let rt = Runtime::new();
    inputs
        .into_iter()
        .map(|input| {
            let task = rt.spawn(f(input));
            rt.block_on(task).expect("the task panicked")
        })
        .collect()
}
