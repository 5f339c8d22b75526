// Passes: Go's shape — a WaitGroup, and each task writes its output into its own slot of a shared Vec; no JoinHandle is awaited.
use std::future::Future;
use std::sync::{Arc, Mutex};

use runtime::WaitGroup;

pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    runtime::run(async move {
        let slots: Arc<Mutex<Vec<Option<Fut::Output>>>> =
            Arc::new(Mutex::new((0..inputs.len()).map(|_| None).collect()));
        let wg = WaitGroup::new();
        for (index, input) in inputs.into_iter().enumerate() {
            wg.add(1);
            let (wg, slots, call) = (wg.clone(), Arc::clone(&slots), f(input));
            runtime::spawn(async move {
                let output = call.await;
                slots.lock().unwrap()[index] = Some(output);
                wg.done();
            });
        }
        wg.wait().await;
        let mut slots = slots.lock().unwrap();
        slots
            .drain(..)
            .map(|slot| slot.expect("every task filled its slot before done()"))
            .collect()
    })
}
