// Passes: another split — a tree of tasks: each task spawns one for each half of its range and concatenates what their JoinHandles return; every leaf task calls work for one input.
use std::future::Future;
use std::ops::Range;
use std::pin::Pin;
use std::sync::Arc;

/// A spawned half: boxed, because an async function can't contain itself.
type Half = Pin<Box<dyn Future<Output = Vec<u64>> + Send>>;

/// Outputs of `work` in the order of `inputs`, one task per input (and one per split).
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    if inputs.is_empty() {
        return Vec::new();
    }
    let inputs: Arc<[u64]> = inputs.into();
    runtime::run(async move {
        let whole = 0..inputs.len();
        runtime::spawn(outputs_of(Arc::new(work), inputs, whole))
            .await
            .expect("work panicked")
    })
}

/// The outputs for `inputs[range]` (not empty), in order.
fn outputs_of<F, Fut>(work: Arc<F>, inputs: Arc<[u64]>, range: Range<usize>) -> Half
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    Box::pin(async move {
        if range.len() == 1 {
            return vec![work(inputs[range.start]).await];
        }
        let middle = range.start + range.len() / 2;
        // Both halves spawned before either is awaited: they run at the same time.
        let left = runtime::spawn(outputs_of(
            Arc::clone(&work),
            Arc::clone(&inputs),
            range.start..middle,
        ));
        let right = runtime::spawn(outputs_of(work, inputs, middle..range.end));
        let mut outputs = left.await.expect("work panicked");
        outputs.extend(right.await.expect("work panicked"));
        outputs
    })
}
