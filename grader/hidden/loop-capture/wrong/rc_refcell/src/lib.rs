// Must not compile: Rc<RefCell<Vec>> shares the Vec within one thread only — Rc is not Send, so a task holding it can't be spawned on the runtime's workers ("future cannot be sent between threads safely").
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
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
        let results = Rc::new(RefCell::new(Vec::new()));
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            let work = Arc::clone(&work);
            let wg = wg.clone();
            let results = Rc::clone(&results);
            runtime::spawn(async move {
                let output = work(input).await;
                results.borrow_mut().push((index, output));
                wg.done();
            });
        }
        wg.wait().await;
        let mut pairs = std::mem::take(&mut *results.borrow_mut());
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
