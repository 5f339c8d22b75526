// Must fail returns_each_output_in_input_order: wg.add(1) inside the task, so wait() can see zero before any task has started, and the results are read too early.
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
        for (index, &input) in inputs.iter().enumerate() {
            let (work, results, wg) = (Arc::clone(&work), Arc::clone(&results), wg.clone());
            runtime::spawn(async move {
                wg.add(1);
                let output = work(input).await;
                results.lock().unwrap().push((index, output));
                wg.done();
            });
        }
        wg.wait().await;
        let mut pairs = std::mem::take(&mut *results.lock().unwrap());
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
