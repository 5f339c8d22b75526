//! Tasks finish in any order; their handles give the results back in the order you spawned them.
//! And awaiting each task before spawning the next runs them one after another.
//!
//!     cargo run -p runtime --example finish_order

use std::time::{Duration, Instant};

// ANCHOR: call
/// A slow call (a lookup, a request): here the shorter the word, the longer it takes.
async fn slow_len(word: &'static str) -> usize {
    runtime::sleep(Duration::from_millis(600 - 100 * word.len() as u64)).await;
    println!("  finished {word:?}");
    word.len()
}
// ANCHOR_END: call

// ANCHOR: all_then_await
/// Every task spawned first, then the handles awaited in spawn order.
async fn spawn_all_then_await(words: &[&'static str]) -> Vec<usize> {
    let handles: Vec<_> = words.iter().map(|&w| runtime::spawn(slow_len(w))).collect();
    let mut lengths = Vec::new();
    for handle in handles {
        lengths.push(handle.await.expect("slow_len does not panic"));
    }
    lengths
}
// ANCHOR_END: all_then_await

// ANCHOR: one_by_one
/// Each task awaited right after its spawn: the next one starts only when it is done.
async fn spawn_and_await_each(words: &[&'static str]) -> Vec<usize> {
    let mut lengths = Vec::new();
    for &word in words {
        let handle = runtime::spawn(slow_len(word));
        lengths.push(handle.await.expect("slow_len does not panic"));
    }
    lengths
}
// ANCHOR_END: one_by_one

fn main() {
    let words = ["go", "rust", "tasks"];
    runtime::run(async move {
        println!("spawn all, then await each handle in turn:");
        let clock = Instant::now();
        let lengths = spawn_all_then_await(&words).await;
        println!("  {lengths:?} after {} ms", clock.elapsed().as_millis());

        println!("spawn one, await it, spawn the next:");
        let clock = Instant::now();
        let lengths = spawn_and_await_each(&words).await;
        println!("  {lengths:?} after {} ms", clock.elapsed().as_millis());
    });
}
