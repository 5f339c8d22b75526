// Passes: lock-free — one AtomicU64 per input, stored by its task with Relaxed; the WaitGroup's done/wait pair orders every store before the reads.
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use runtime::WaitGroup;

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let work = Arc::new(work);
        let slots: Arc<[AtomicU64]> = inputs.iter().map(|_| AtomicU64::new(0)).collect();
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let (work, slots, wg) = (Arc::clone(&work), Arc::clone(&slots), wg.clone());
            runtime::spawn(async move {
                let output = work(input).await;
                // Relaxed: the WaitGroup publishes it (done happens-before wait returns).
                slots[index].store(output, Ordering::Relaxed);
                wg.done();
            });
        }
        wg.wait().await;
        slots
            .iter()
            .map(|slot| slot.load(Ordering::Relaxed))
            .collect()
    })
}
