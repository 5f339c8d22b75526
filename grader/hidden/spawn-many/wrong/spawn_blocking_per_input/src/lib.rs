// Must fail uses_no_thread_per_input: each input's future is driven to completion inside spawn_blocking, so every waiting task holds a thread of the blocking pool.
use std::future::Future;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let handles: Vec<_> = inputs
            .into_iter()
            .map(|input| {
                let call = f(input);
                runtime::spawn_blocking(move || futures::executor::block_on(call))
            })
            .collect();
        let mut outputs = Vec::with_capacity(handles.len());
        for handle in handles {
            outputs.push(handle.await.expect("the task panicked"));
        }
        outputs
    })
}
