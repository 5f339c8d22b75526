//! A timeout on the Tasklings runtime, built from what it has: `runtime::sleep` and a select of
//! two futures. (The runtime has no `timeout`, `sleep_until` or `interval` of its own, and its
//! clock can't be paused; the rest of the chapter uses tokio's time module.)
//!
//!     cargo run -p runtime --example tasklings_timeout

use futures::future::{select, Either};
use std::future::Future;
use std::pin::pin;
use std::time::Duration;

/// Prints when it is dropped: shows when the work stops.
struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("{} dropped", self.0);
    }
}

// ANCHOR: timeout
#[derive(Debug)]
struct TimedOut;

/// `work`'s output, unless `limit` passes first: then the work is dropped and `Err(TimedOut)`.
async fn timeout<F: Future>(limit: Duration, work: F) -> Result<F::Output, TimedOut> {
    match select(pin!(work), runtime::sleep(limit)).await {
        Either::Left((output, _sleep)) => Ok(output),
        Either::Right(((), _work)) => Err(TimedOut), // `_work` is dropped here: it stops
    }
}
// ANCHOR_END: timeout

// ANCHOR: main
/// Work that takes `took`.
async fn work(name: &'static str, took: Duration) -> u32 {
    let _noisy = Noisy(name);
    runtime::sleep(took).await;
    42
}

fn main() {
    runtime::run(async {
        let limit = Duration::from_millis(50);
        let quick = timeout(limit, work("quick work", Duration::ZERO)).await;
        println!("quick work: {quick:?}");
        let stuck = timeout(limit, work("stuck work", Duration::from_secs(3600))).await;
        println!("stuck work: {stuck:?}");
    });
}
// ANCHOR_END: main
