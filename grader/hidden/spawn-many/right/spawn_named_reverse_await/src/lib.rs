// Passes: spawn_named (each task named after its input's index, for dump()), and the handles awaited from the last to the first, then the outputs reversed.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let mut handles: Vec<_> = inputs
            .into_iter()
            .enumerate()
            .map(|(index, input)| runtime::spawn_named(format!("input {index}"), f(input)))
            .collect();
        let mut outputs = Vec::with_capacity(handles.len());
        while let Some(handle) = handles.pop() {
            outputs.push(handle.await.expect("the task panicked"));
        }
        outputs.reverse();
        outputs
    })
}
