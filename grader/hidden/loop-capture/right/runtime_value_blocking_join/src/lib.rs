// Passes: no runtime::run and no async main — a Runtime built with the builder, tasks spawned on it from the calling thread with Runtime::spawn, and the handles joined with the blocking join().
use std::future::Future;
use std::sync::Arc;

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    let runtime = runtime::Runtime::builder()
        .thread_name("map-worker")
        .build()
        .expect("the runtime's workers can start");
    let work = Arc::new(work);
    let handles: Vec<_> = inputs
        .iter()
        .map(|&input| {
            let work = Arc::clone(&work);
            runtime.spawn(async move { work(input).await })
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| handle.join().expect("work panicked"))
        .collect()
}
