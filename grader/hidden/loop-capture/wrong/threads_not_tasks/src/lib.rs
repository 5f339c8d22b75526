// Must fail spawns_a_task_per_input_on_the_runtime: a scoped thread per input, each driving its call with a runtime's block_on — concurrent, but not one task per input on the Tasklings runtime.
use std::future::Future;
use std::thread;

/// Outputs of `work` in the order of `inputs`, one thread per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    let work = &work;
    thread::scope(|scope| {
        let handles: Vec<_> = inputs
            .iter()
            .map(|&input| {
                scope.spawn(move || {
                    let runtime = runtime::Runtime::builder()
                        .workers(1)
                        .build()
                        .expect("a runtime");
                    runtime.block_on(work(input))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().expect("work panicked"))
            .collect()
    })
}
