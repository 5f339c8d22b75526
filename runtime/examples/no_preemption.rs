//! No preemption: a task that computes without reaching an `.await` keeps its worker.
//! Go (since 1.14) would interrupt it; a Rust task is only ever switched at an `.await`.
//!
//!     cargo run --release -p runtime --example no_preemption -- 300
//!
//! On a runtime with one worker, a ticker task wants to wake every 10 ms while a "hog" computes
//! for 300 ms (the argument), three ways. The ticker reports how late its timer fired at worst.

use std::time::{Duration, Instant};

const TICK: Duration = Duration::from_millis(10);

fn main() {
    let ms: u64 = std::env::args()
        .nth(1)
        .map_or(300, |a| a.parse().expect("MS: a number"));
    let work = Duration::from_millis(ms);
    let rt = runtime::Runtime::builder()
        .workers(1)
        .build()
        .expect("a thread can be started");
    println!("one worker; a hog computes for {ms} ms while a ticker sleeps in {TICK:?} steps");
    rt.block_on(three_hogs(work));
}

// ANCHOR: hogs
/// The same 300 ms of computing, three ways, each beside a ticker.
async fn three_hogs(work: Duration) {
    let late = with_ticker(work, || runtime::spawn(async move { spin(work) })).await;
    println!("hog with no .await:            the ticker woke up to {late} ms late");

    let late = with_ticker(work, || {
        runtime::spawn(async move {
            let start = Instant::now();
            while start.elapsed() < work {
                spin(Duration::from_micros(100));
                runtime::yield_now().await; // let the other tasks run
            }
        })
    })
    .await;
    println!("hog calling yield_now():       the ticker woke up to {late} ms late");

    let late = with_ticker(work, || runtime::spawn_blocking(move || spin(work))).await;
    println!("hog on spawn_blocking:         the ticker woke up to {late} ms late");
}
// ANCHOR_END: hogs

/// Starts a ticker, then the hog; waits for both and returns the ticker's worst lateness in ms.
async fn with_ticker(work: Duration, start_hog: impl FnOnce() -> runtime::JoinHandle<()>) -> u128 {
    let ticker = runtime::spawn(async move {
        let mut worst = Duration::ZERO;
        let start = Instant::now();
        while start.elapsed() < work + TICK * 5 {
            let asleep = Instant::now();
            runtime::sleep(TICK).await;
            worst = worst.max(asleep.elapsed().saturating_sub(TICK));
        }
        worst
    });
    runtime::sleep(TICK * 2).await; // the ticker is running and asleep on its timer by now
    let hog = start_hog();
    hog.await.expect("the hog does not panic");
    let worst = ticker.await.expect("the ticker does not panic");
    worst.as_millis()
}

/// Keeps the CPU busy for `d` without ever giving it up.
fn spin(d: Duration) {
    let start = Instant::now();
    while start.elapsed() < d {
        std::hint::spin_loop();
    }
}
