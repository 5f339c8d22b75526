// Must fail returns_each_output_in_input_order: drops the index and keeps the starter's sort, so the outputs come back sorted by value, not in the order of the inputs.
use std::future::Future;
use std::sync::{Arc, Mutex};

use runtime::WaitGroup;

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let work = Arc::new(work);
        let results = Arc::new(Mutex::new(Vec::new()));
        let wg = WaitGroup::new();
        for &input in inputs {
            wg.add(1);
            let (work, results, wg) = (Arc::clone(&work), Arc::clone(&results), wg.clone());
            runtime::spawn(async move {
                let output = work(input).await;
                results.lock().unwrap().push(output);
                wg.done();
            });
        }
        wg.wait().await;
        let mut outputs = std::mem::take(&mut *results.lock().unwrap());
        outputs.sort_unstable();
        outputs
    })
}
