// Must fail loses_nothing_under_contention: the shared Vec forced through with `unsafe impl Send + Sync` on a raw pointer — Go's racy `append`, a data race (undefined behaviour) that loses or garbles results when tasks on several workers push at once.
use std::future::Future;
use std::sync::Arc;

use runtime::WaitGroup;

/// "Trust me, it's fine to share": a raw pointer to the results, declared Send and Sync.
#[derive(Clone, Copy)]
struct Shared(*mut Vec<(usize, u64)>);

// SAFETY: none — tasks on different workers push through this pointer at the same time.
unsafe impl Send for Shared {}
// SAFETY: none, as above.
unsafe impl Sync for Shared {}

impl Shared {
    fn push(self, pair: (usize, u64)) {
        // SAFETY: none — this is the data race.
        unsafe { (*self.0).push(pair) }
    }
}

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let work = Arc::new(work);
        let mut results: Vec<(usize, u64)> = Vec::new();
        let shared = Shared(&mut results);
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let (work, wg) = (Arc::clone(&work), wg.clone());
            runtime::spawn(async move {
                let output = work(input).await;
                shared.push((index, output));
                wg.done();
            });
        }
        wg.wait().await;
        results.sort_unstable();
        results.into_iter().map(|(_, output)| output).collect()
    })
}
