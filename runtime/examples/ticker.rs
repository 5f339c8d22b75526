//! A ticker whose third call stalls for 2.5 periods, four ways: tokio's `interval` with each
//! `MissedTickBehavior`, and a loop that sleeps a period after each call. On tokio's paused
//! clock: the start times are virtual and exact.
//!
//!     cargo run -p runtime --example ticker

use std::time::Duration;

use tokio::time::{self, Instant, MissedTickBehavior};

/// How long each call takes, in milliseconds: call 2 stalls for 2.5 periods.
const CALLS: [u64; 7] = [250, 100, 2500, 300, 200, 100, 100];
const PERIOD: Duration = Duration::from_secs(1);

/// One call of the poller: takes its time, like a request would.
async fn call(index: usize) {
    time::sleep(Duration::from_millis(CALLS[index])).await;
}

// ANCHOR: interval
/// Runs the calls on an interval with `behavior`; returns when each started.
async fn on_interval(behavior: MissedTickBehavior) -> Vec<Duration> {
    let start = Instant::now();
    let mut ticker = time::interval(PERIOD); // the first tick completes at once
    ticker.set_missed_tick_behavior(behavior);
    let mut starts = Vec::new();
    for index in 0..CALLS.len() {
        ticker.tick().await;
        starts.push(start.elapsed());
        call(index).await;
    }
    starts
}
// ANCHOR_END: interval

// ANCHOR: sleep_loop
/// Go's `for { poll(); time.Sleep(period) }`.
async fn sleep_after_each_call() -> Vec<Duration> {
    let start = Instant::now();
    let mut starts = Vec::new();
    for index in 0..CALLS.len() {
        starts.push(start.elapsed());
        call(index).await;
        time::sleep(PERIOD).await;
    }
    starts
}
// ANCHOR_END: sleep_loop

fn print(name: &str, starts: &[Duration]) {
    let starts: Vec<String> = starts
        .iter()
        .map(|at| format!("{:5.2}", at.as_secs_f64()))
        .collect();
    println!("{name:<16}{}", starts.join(" "));
}

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    let takes: Vec<String> = CALLS
        .iter()
        .map(|ms| format!("{:5.2}", *ms as f64 / 1000.0))
        .collect();
    println!("call takes (s)  {}", takes.join(" "));
    println!("starts at (s):");
    print(
        "Burst (default)",
        &on_interval(MissedTickBehavior::Burst).await,
    );
    print("Delay", &on_interval(MissedTickBehavior::Delay).await);
    print("Skip", &on_interval(MissedTickBehavior::Skip).await);
    print("sleep(period)", &sleep_after_each_call().await);
}
