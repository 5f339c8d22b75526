//! Timeouts and deadlines on tokio's clock: `timeout` drops the future it gives up on,
//! `timeout_at` takes a deadline instead of a length, and a timeout on a spawned task's
//! `JoinHandle` stops the waiting, not the task. The clock is paused: every time printed is
//! virtual and exact, and the program takes milliseconds.
//!
//!     cargo run -p runtime --example timeout

use std::sync::OnceLock;
use std::time::Duration;

use tokio::time::{self, Instant};

static ORIGIN: OnceLock<Instant> = OnceLock::new();

/// Virtual time since the program started, for the printouts.
fn now() -> String {
    let origin = *ORIGIN.get_or_init(Instant::now);
    format!("{:6.3} s", (Instant::now() - origin).as_secs_f64())
}

/// Prints when it is dropped: shows when a call stops.
struct Noisy(&'static str);

impl Drop for Noisy {
    fn drop(&mut self) {
        println!("{}  {} dropped", now(), self.0);
    }
}

// ANCHOR: call
/// A call that answers after `took`.
async fn call(name: &'static str, took: Duration) -> &'static str {
    let _noisy = Noisy(name);
    time::sleep(took).await;
    println!("{}  {name} answers", now());
    "answer"
}
// ANCHOR_END: call

#[tokio::main(flavor = "current_thread", start_paused = true)]
async fn main() {
    now(); // time zero
    let second = Duration::from_secs(1);

    // ANCHOR: timeout
    let fast = time::timeout(second, call("fast call", Duration::from_millis(300))).await;
    println!("{}  fast call: {fast:?}", now());
    let slow = time::timeout(second, call("slow call", Duration::from_secs(5))).await;
    println!("{}  slow call: {slow:?}", now());
    // ANCHOR_END: timeout

    // ANCHOR: deadline
    // One deadline for two steps: the second gets what the first left.
    let deadline = Instant::now() + Duration::from_secs(2);
    let first = time::timeout_at(deadline, call("step 1", Duration::from_millis(1500))).await;
    println!("{}  step 1: {first:?}", now());
    let second_step = time::timeout_at(deadline, call("step 2", Duration::from_millis(1500))).await;
    println!("{}  step 2: {second_step:?}", now());
    // ANCHOR_END: deadline

    // ANCHOR: spawned
    let task = tokio::spawn(call("spawned call", Duration::from_secs(3)));
    let waited = time::timeout(second, task).await; // drops the JoinHandle: detaches the task
    println!("{}  stopped waiting: {waited:?}", now());
    // Meanwhile, the task runs on:
    time::sleep(Duration::from_secs(3)).await;
    // ANCHOR_END: spawned

    // ANCHOR: abort
    let mut task = tokio::spawn(call("aborted call", Duration::from_secs(3)));
    if time::timeout(second, &mut task).await.is_err() {
        task.abort(); // asks the task to stop…
        let ended = task.await; // …and waits until its future is dropped
        println!(
            "{}  aborted: {}",
            now(),
            ended.is_err_and(|e| e.is_cancelled())
        );
    }
    // ANCHOR_END: abort
}
