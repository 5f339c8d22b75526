// Must fail runs_every_call_at_once: each task is awaited right after it is spawned, inside the loop — the calls run one after another, never all at once.
use std::future::Future;
use std::sync::Arc;

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let work = Arc::new(work);
        let mut outputs = Vec::with_capacity(inputs.len());
        for &input in inputs {
            let work = Arc::clone(&work);
            let handle = runtime::spawn(async move { work(input).await });
            outputs.push(handle.await.expect("work panicked"));
        }
        outputs
    })
}
