//! WaitGroup: Go's `sync.WaitGroup`, and the Rust patterns around it.
//!
//!     cargo run -p runtime --example waitgroup

use std::time::Duration;

// ANCHOR: worker
async fn worker(id: u64) {
    println!("worker {id} starting");
    runtime::sleep(Duration::from_millis(50 * id)).await; // some slow work
    println!("worker {id} done");
}
// ANCHOR_END: worker

// ANCHOR: guard
/// Calls `done` when dropped: Go's `defer wg.Done()`. It runs even if the task panics.
struct DoneOnDrop(runtime::WaitGroup);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.done();
    }
}
// ANCHOR_END: guard

// ANCHOR: basic
async fn five_workers() {
    let wg = runtime::WaitGroup::new();
    for id in 1..=5 {
        wg.add(1); // before spawning, never inside the task
        let done = DoneOnDrop(wg.clone());
        runtime::spawn(async move {
            let _done = done;
            worker(id).await;
        });
    }
    wg.wait().await;
    println!("all workers done");
}
// ANCHOR_END: basic

// ANCHOR: blocking
/// From outside any runtime (a plain thread, a test), wait without a future.
fn wait_from_a_plain_thread() {
    let rt = runtime::Runtime::new();
    let wg = runtime::WaitGroup::new();
    wg.add(3);
    for _ in 0..3 {
        let wg = wg.clone();
        rt.spawn(async move { wg.done() });
    }
    wg.wait_blocking();
    println!("three more done, waited for from a plain thread");
}
// ANCHOR_END: blocking

fn main() {
    runtime::run(five_workers());
    wait_from_a_plain_thread();
}
