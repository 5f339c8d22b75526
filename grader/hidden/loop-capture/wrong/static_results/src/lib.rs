// Must fail a_second_call_starts_afresh: the results live in a `static` Mutex<Vec> ('static, so every task may borrow it) that no call empties: the second call returns the first call's outputs too.
use std::future::Future;
use std::sync::{Arc, Mutex};

use runtime::WaitGroup;

/// Every task can reach a static: no Arc needed.
static RESULTS: Mutex<Vec<(usize, u64)>> = Mutex::new(Vec::new());

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let work = Arc::new(work);
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let work = Arc::clone(&work);
            let wg = wg.clone();
            runtime::spawn(async move {
                let output = work(input).await;
                RESULTS.lock().unwrap().push((index, output));
                wg.done();
            });
        }
        wg.wait().await;
        let mut pairs = RESULTS.lock().unwrap().clone();
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
