// Passes: no shared Vec at all — each task returns its output, and the JoinHandles, kept in a Vec in input order, are awaited after the loop.
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
        let handles: Vec<_> = inputs
            .iter()
            .map(|&input| {
                let work = Arc::clone(&work);
                runtime::spawn(async move { work(input).await })
            })
            .collect();
        let mut outputs = Vec::with_capacity(handles.len());
        for handle in handles {
            outputs.push(handle.await.expect("work panicked"));
        }
        outputs
    })
}
