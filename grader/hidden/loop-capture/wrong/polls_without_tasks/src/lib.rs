// Must fail spawns_a_task_per_input_on_the_runtime: every call's future polled by hand from runtime::run's own future — all at once, but in one task, so no call ever runs on another worker.
use std::future::{poll_fn, Future};
use std::pin::Pin;
use std::task::Poll;

/// Outputs of `work` in the order of `inputs`, polled together in one future.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let mut calls: Vec<Pin<Box<Fut>>> =
            inputs.iter().map(|&input| Box::pin(work(input))).collect();
        let mut outputs: Vec<Option<u64>> = vec![None; inputs.len()];
        poll_fn(|cx| {
            for (call, output) in calls.iter_mut().zip(outputs.iter_mut()) {
                if output.is_none() {
                    if let Poll::Ready(value) = call.as_mut().poll(cx) {
                        *output = Some(value);
                    }
                }
            }
            if outputs.iter().all(Option::is_some) {
                Poll::Ready(())
            } else {
                Poll::Pending
            }
        })
        .await;
        outputs
            .into_iter()
            .map(|output| output.expect("ready"))
            .collect()
    })
}
