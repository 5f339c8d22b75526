// Must fail returns_each_output_in_input_order: spawns every task and reads the results at once, without waiting: runtime::run then drops the tasks that haven't finished (all of them, under lazy spawning).
use std::future::Future;
use std::sync::{Arc, Mutex};

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let work = Arc::new(work);
        let results = Arc::new(Mutex::new(Vec::new()));
        for (index, &input) in inputs.iter().enumerate() {
            let (work, results) = (Arc::clone(&work), Arc::clone(&results));
            runtime::spawn(async move {
                let output = work(input).await;
                results.lock().unwrap().push((index, output));
            });
        }
        let mut pairs = std::mem::take(&mut *results.lock().unwrap());
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
