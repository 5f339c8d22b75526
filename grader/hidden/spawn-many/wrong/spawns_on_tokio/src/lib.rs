// Must fail spawns_one_task_per_input: the tasks are tokio tasks on a tokio runtime, not Tasklings tasks — right in spirit, but the exercise is about the Tasklings runtime, and its metrics count none.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let rt = tokio::runtime::Runtime::new().expect("a tokio runtime");
    rt.block_on(async move {
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|input| tokio::spawn(f(input)))
            .collect();
        let mut outputs = Vec::with_capacity(handles.len());
        for handle in handles {
            outputs.push(handle.await.expect("the task panicked"));
        }
        outputs
    })
}
