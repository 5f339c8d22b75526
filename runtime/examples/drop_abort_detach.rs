//! Three ways a task stops being your business: detach it (drop the JoinHandle), abort it, or
//! shut the runtime down — which drops every unfinished task but waits for a `spawn_blocking`
//! closure that is already running.
//!
//!     cargo run -p runtime --example drop_abort_detach

use std::time::Duration;

/// Prints when the task holding it is dropped, finished or not.
struct Tracker(&'static str);

impl Drop for Tracker {
    fn drop(&mut self) {
        println!("  {}: its state was dropped", self.0);
    }
}

/// A task that works for `ms` milliseconds, then says so. Its tracker is part of its state from
/// the start, so it is dropped with the task even if the task never got to run.
fn job(name: &'static str, ms: u64) -> impl std::future::Future<Output = ()> + Send {
    let tracker = Tracker(name);
    async move {
        let _tracker = tracker;
        runtime::sleep(Duration::from_millis(ms)).await;
        println!("  {name}: finished its work");
    }
}

// ANCHOR: detach
async fn detach() {
    println!("drop the JoinHandle: the task is detached and runs to the end");
    drop(runtime::spawn(job("detached", 20)));
    runtime::sleep(Duration::from_millis(300)).await; // long enough for it to finish
}
// ANCHOR_END: detach

// ANCHOR: abort
async fn abort() {
    println!("abort(): the task is dropped at its next .await; its code stops there");
    let handle = runtime::spawn(job("aborted", 1000));
    runtime::sleep(Duration::from_millis(20)).await;
    handle.abort();
    let err = handle.await.expect_err("aborted");
    println!("  awaiting it gives: {err}");
}
// ANCHOR_END: abort

// ANCHOR: shutdown
async fn leave_one_running() {
    println!("drop the runtime: every unfinished task is dropped,");
    println!("but a blocking closure that has started is waited for");
    drop(runtime::spawn(job("left running", 1000)));
    let (started, has_started) = tokio::sync::oneshot::channel();
    drop(runtime::spawn_blocking(move || {
        let _ = started.send(());
        std::thread::sleep(Duration::from_millis(100)); // a blocking call: nothing can stop it
        println!("  blocking closure: returned, so the drop can go on");
    }));
    has_started.await.expect("the closure starts");
}
// ANCHOR_END: shutdown

fn main() {
    let rt = runtime::Runtime::new();
    rt.block_on(async {
        detach().await;
        abort().await;
        leave_one_running().await;
    });
    drop(rt);
    println!("runtime dropped");
}
