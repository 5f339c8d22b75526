//! What each fix costs when two tasks hammer one shared number: ns per update.
//!
//!     cargo run --release -p runtime --example sync_costs -- 1000000

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("N: a number"));
    let rt = runtime::Runtime::builder()
        .workers(2)
        .build()
        .expect("two threads can be started");
    println!("two tasks, {n} updates each");

    let mutex = Arc::new(Mutex::new(0u64));
    let per_update = timed(&rt, n, move || {
        let mutex = mutex.clone();
        async move {
            for _ in 0..n {
                *mutex.lock().expect("not poisoned") += 1;
            }
        }
    });
    println!("Mutex<u64>, lock and add:       {per_update:>6.1} ns per update");

    let atomic = Arc::new(AtomicU64::new(0));
    let per_update = timed(&rt, n, move || {
        let atomic = atomic.clone();
        async move {
            for _ in 0..n {
                atomic.fetch_add(1, Ordering::Relaxed);
            }
        }
    });
    println!("AtomicU64::fetch_add:           {per_update:>6.1} ns per update");

    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<u64>();
    let owner = rt.spawn(async move {
        let mut total = 0;
        while let Some(add) = rx.recv().await {
            total += add;
        }
        total
    });
    let per_update = timed(&rt, n, move || {
        let tx = tx.clone();
        async move {
            for _ in 0..n {
                tx.send(1).expect("the owner is running");
            }
        }
    });
    // The senders are dropped with the closure: the owner drains its queue and ends.
    let total = owner.join().expect("no panic");
    println!("channel to an owner task, send: {per_update:>6.1} ns per update (total {total})");
}

/// Runs the future `make()` returns in two tasks at once; returns ns per update.
fn timed<F>(rt: &runtime::Runtime, n: u64, make: impl Fn() -> F) -> f64
where
    F: std::future::Future<Output = ()> + Send + 'static,
{
    let clock = Instant::now();
    let (a, b) = (rt.spawn(make()), rt.spawn(make()));
    a.join().expect("no panic");
    b.join().expect("no panic");
    clock.elapsed().as_nanos() as f64 / (2 * n) as f64
}
