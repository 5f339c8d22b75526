//! Tokio's paused clock: time stands still while a task can run and jumps to the next timer when
//! every task waits (auto-advance), so an hour of sleeping takes no real time and every reading
//! of `tokio::time::Instant` is exact. What it doesn't pause: `std::time::Instant`, and
//! `std::thread::sleep`.
//!
//!     cargo run -p runtime --example paused_clock

use std::time::Duration;

use tokio::time::{self, Instant};

// ANCHOR: main
#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    an_hour().await;
    in_order().await;
    a_timeout_test().await;
    not_virtual().await;
}
// ANCHOR_END: main

// ANCHOR: an_hour
async fn an_hour() {
    let real = std::time::Instant::now();
    let start = Instant::now();
    time::sleep(Duration::from_secs(3600)).await;
    println!("slept {:?} of tokio time", start.elapsed());
    println!(
        "in {:.1} ms of real time",
        real.elapsed().as_secs_f64() * 1e3
    );
}
// ANCHOR_END: an_hour

// ANCHOR: in_order
/// Timers fire in order, each at its exact instant, whatever the machine's load.
async fn in_order() {
    let start = Instant::now();
    let stamp = |name: &'static str, after: u64| async move {
        time::sleep(Duration::from_millis(after)).await;
        println!("{name} at {:?}", start.elapsed());
    };
    tokio::join!(
        stamp("third", 300),
        stamp("first", 100),
        stamp("second", 200)
    );
}
// ANCHOR_END: in_order

// ANCHOR: a_timeout_test
/// What a test of a timeout looks like: a call that never answers times out at exactly 2 s.
async fn a_timeout_test() {
    let start = Instant::now();
    let never = std::future::pending::<()>();
    let result = time::timeout(Duration::from_secs(2), never).await;
    assert!(result.is_err());
    assert_eq!(start.elapsed(), Duration::from_secs(2));
    println!("timed out at {:?}, as the assertion says", start.elapsed());
}
// ANCHOR_END: a_timeout_test

// ANCHOR: not_virtual
/// Blocking the thread passes real time, not tokio's.
async fn not_virtual() {
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(20));
    println!(
        "after std::thread::sleep: tokio's clock moved {:?}",
        start.elapsed()
    );
}
// ANCHOR_END: not_virtual
