//! Two limits at once — at most 2 fetches in flight over all hosts, at most 2 starts per host in
//! any second — and why the order in which a fetch takes them matters. The fetches are simulated
//! (10 ms each, no network): four pages on a.test, then four on b.test.
//!
//!     cargo run -p runtime --example host_limits

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Mutex, OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio::time::Instant;

const SLOTS: usize = 2;
const PER_HOST_PER_SECOND: usize = 2;

/// When one host's last fetches started: at most `PER_HOST_PER_SECOND` in any second.
#[derive(Default)]
struct Window {
    recent: VecDeque<Instant>,
}

impl Window {
    /// Waits until one more start keeps every one-second window within the limit.
    async fn wait_until_open(&mut self) {
        if self.recent.len() == PER_HOST_PER_SECOND {
            let oldest = self.recent.pop_front().expect("full, so not empty");
            tokio::time::sleep_until(oldest + Duration::from_secs(1)).await;
        }
    }

    fn record_start(&mut self) {
        self.recent.push_back(Instant::now());
    }
}

/// The global slots and one window per host.
struct Limits {
    slots: Arc<Semaphore>,
    windows: HashMap<&'static str, Mutex<Window>>,
}

// ANCHOR: slot_first
/// rate-limited-caller's order: take a slot, then wait for the host's window.
async fn slot_then_window(limits: &Limits, host: &str) -> OwnedSemaphorePermit {
    let slot = limits
        .slots
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    let mut window = limits.windows[host].lock().await;
    window.wait_until_open().await; // ...holding the slot all the while
    window.record_start();
    slot
}
// ANCHOR_END: slot_first

/// The other order: wait for the host's window (one fetch of a host at a time), then take a
/// slot, and note the start once the slot is there.
async fn window_then_slot(limits: &Limits, host: &str) -> OwnedSemaphorePermit {
    let mut window = limits.windows[host].lock().await;
    window.wait_until_open().await;
    let slot = limits
        .slots
        .clone()
        .acquire_owned()
        .await
        .expect("never closed");
    window.record_start();
    slot
}

/// Eight fetches (a.test's four first), each admitted by `admit`; prints when each host's
/// fetches started.
async fn run(title: &str, slot_first: bool) {
    let limits = Arc::new(Limits {
        slots: Arc::new(Semaphore::new(SLOTS)),
        windows: HashMap::from([("a.test", Mutex::default()), ("b.test", Mutex::default())]),
    });
    let origin = Instant::now();
    let mut fetches = JoinSet::new();
    for host in ["a.test"; 4].into_iter().chain(["b.test"; 4]) {
        let limits = Arc::clone(&limits);
        fetches.spawn(async move {
            let slot = if slot_first {
                slot_then_window(&limits, host).await
            } else {
                window_then_slot(&limits, host).await
            };
            let started = origin.elapsed();
            tokio::time::sleep(Duration::from_millis(10)).await; // the "fetch"
            drop(slot);
            (host, started)
        });
    }
    let mut starts: HashMap<&str, Vec<Duration>> = HashMap::new();
    while let Some(done) = fetches.join_next().await {
        let (host, started) = done.expect("no fetch panics");
        starts.entry(host).or_default().push(started);
    }
    println!("{title}:");
    for host in ["a.test", "b.test"] {
        let mut times = starts.remove(host).unwrap_or_default();
        times.sort();
        let shown: Vec<String> = times
            .iter()
            .map(|at| format!("{:.1}", at.as_secs_f64()))
            .collect();
        println!("  {host} started at {} s", shown.join(", "));
    }
}

// One thread: tasks first run in the order they were spawned, so the output is the same on
// every run.
#[tokio::main(flavor = "current_thread")]
async fn main() {
    run("a slot first, then the host's window", true).await;
    run("the host's window first, then a slot", false).await;
}
