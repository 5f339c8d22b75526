// Must fail returns_each_output_in_input_order: Go's pre-1.22 loop variable, made to compile: one shared index (an Arc<AtomicUsize>) that the loop moves on and each task reads when it runs — by then the loop is at its end, so every task works on the last input.
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use runtime::WaitGroup;

/// Outputs of `work` in the order of `inputs`, one task per input.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    let inputs: Arc<Vec<u64>> = Arc::new(inputs.to_vec());
    runtime::run(async move {
        let work = Arc::new(work);
        let results = Arc::new(Mutex::new(Vec::new()));
        let wg = WaitGroup::new();
        // One variable for the whole loop, like Go's `i` before 1.22.
        let i = Arc::new(AtomicUsize::new(0));
        while i.load(Ordering::SeqCst) < inputs.len() {
            wg.add(1);
            let (work, results, wg) = (Arc::clone(&work), Arc::clone(&results), wg.clone());
            let (i_seen, inputs) = (Arc::clone(&i), Arc::clone(&inputs));
            runtime::spawn(async move {
                let index = i_seen.load(Ordering::SeqCst).min(inputs.len() - 1);
                let output = work(inputs[index]).await;
                results.lock().unwrap().push((index, output));
                wg.done();
            });
            i.fetch_add(1, Ordering::SeqCst);
        }
        wg.wait().await;
        let mut pairs = std::mem::take(&mut *results.lock().unwrap());
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
