// Must fail returns_each_output_in_input_order: `results.clone()` per task, as the chapter clones an Arc — but cloning a Vec copies it: each task pushes into its own copy, and the function returns its own, empty Vec.
use std::future::Future;
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
        let mut results: Vec<(usize, u64)> = Vec::new();
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let work = Arc::clone(&work);
            let wg = wg.clone();
            let mut results = results.clone();
            runtime::spawn(async move {
                let output = work(input).await;
                results.push((index, output));
                wg.done();
            });
        }
        wg.wait().await;
        let mut pairs = std::mem::take(&mut results);
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
