//! I/O-bound: waiting scales with concurrency, not with cores — unless you block the thread.
//!
//!     cargo run -p runtime --example io_bound -- 20 100
//!
//! 20 (first argument) calls that each wait 100 ms (second argument) for a "server", on tokio's
//! single-threaded runtime: once with tokio's timer, once with a blocking `std::thread::sleep`.

use std::time::{Duration, Instant};

// ANCHOR: async_wait
async fn waiting(calls: u32, wait: Duration) -> Duration {
    let clock = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..calls {
        set.spawn(tokio::time::sleep(wait)); // parks the task, frees the thread
    }
    set.join_all().await;
    clock.elapsed()
}
// ANCHOR_END: async_wait

// ANCHOR: blocking_wait
async fn blocking(calls: u32, wait: Duration) -> Duration {
    let clock = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..calls {
        set.spawn(async move { std::thread::sleep(wait) }); // blocks the only thread
    }
    set.join_all().await;
    clock.elapsed()
}
// ANCHOR_END: blocking_wait

fn main() {
    let mut args = std::env::args().skip(1);
    let calls: u32 = args
        .next()
        .map_or(20, |a| a.parse().expect("CALLS: a number"));
    let ms: u64 = args
        .next()
        .map_or(100, |a| a.parse().expect("MS: a number"));
    let wait = Duration::from_millis(ms);
    // One thread: any concurrency we get comes from tasks taking turns at `.await`.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("a runtime");
    println!("{calls} calls of {ms} ms each, on one thread");
    let elapsed = rt.block_on(waiting(calls, wait));
    println!("waiting with .await:        {:>5} ms", elapsed.as_millis());
    let elapsed = rt.block_on(blocking(calls, wait));
    println!("blocking std::thread::sleep: {:>5} ms", elapsed.as_millis());
}
