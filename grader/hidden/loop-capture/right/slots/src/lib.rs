// Passes: one pre-sized slot per input (Arc<[Mutex<Option<u64>>]>); each task moves in its copy of the index and fills its own slot, so no sort and no contended lock.
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
        let slots: Arc<[Mutex<Option<u64>>]> = inputs.iter().map(|_| Mutex::new(None)).collect();
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let (work, slots, wg) = (Arc::clone(&work), Arc::clone(&slots), wg.clone());
            runtime::spawn(async move {
                let output = work(input).await;
                *slots[index].lock().unwrap() = Some(output);
                wg.done();
            });
        }
        wg.wait().await;
        slots
            .iter()
            .map(|slot| {
                slot.lock()
                    .unwrap()
                    .take()
                    .expect("every task filled its slot")
            })
            .collect()
    })
}
