// Passes: a std mpsc channel of (index, output) instead of a shared Vec; after the WaitGroup's wait every send has happened, so try_iter drains them all, and each output goes to its slot.
use std::future::Future;
use std::sync::mpsc;
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
        let (sender, receiver) = mpsc::channel();
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let (work, sender, wg) = (Arc::clone(&work), sender.clone(), wg.clone());
            runtime::spawn(async move {
                let output = work(input).await;
                sender
                    .send((index, output))
                    .expect("the receiver outlives the tasks");
                wg.done();
            });
        }
        wg.wait().await;
        let mut outputs = vec![None; inputs.len()];
        for (index, output) in receiver.try_iter() {
            outputs[index] = Some(output);
        }
        outputs
            .into_iter()
            .map(|output| output.expect("every task sent its output"))
            .collect()
    })
}
