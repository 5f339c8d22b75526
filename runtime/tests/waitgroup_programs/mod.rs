//! Two ways to wait for tasks with a WaitGroup, one wrong, shared by the lazy-spawning tests.
#![allow(dead_code)] // each test binary uses its own part

use runtime::WaitGroup;
use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

/// `wg.add(1)` inside the task: `wait` finds the count at zero. Returns the tasks that had
/// finished when `wait` returned.
pub async fn add_inside_the_task(tasks: usize) -> usize {
    let wg = WaitGroup::new();
    let finished = Arc::new(AtomicUsize::new(0));
    for _ in 0..tasks {
        let (wg, finished) = (wg.clone(), Arc::clone(&finished));
        runtime::spawn(async move {
            wg.add(1);
            finished.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    wg.wait().await;
    finished.load(SeqCst)
}

/// The right way: `add` before each spawn. Returns the tasks finished when `wait` returned.
pub async fn add_before_spawning(tasks: usize) -> usize {
    let wg = WaitGroup::new();
    let finished = Arc::new(AtomicUsize::new(0));
    for _ in 0..tasks {
        wg.add(1);
        let (wg, finished) = (wg.clone(), Arc::clone(&finished));
        runtime::spawn(async move {
            finished.fetch_add(1, SeqCst);
            wg.done();
        });
    }
    wg.wait().await;
    finished.load(SeqCst)
}
