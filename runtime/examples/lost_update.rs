//! Races the compiler cannot see: code that compiles, has no data race, and is still wrong.
//!
//!     cargo run --release -p runtime --example lost_update -- 10000000
//!
//! Two threads each add 10,000,000 (the argument) to a counter, three ways. (Threads rather than
//! tasks so that both surely run at the same time; tasks on two workers race the same way.)

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

// ANCHOR: load_store
fn load_then_store(n: u64) -> u64 {
    let counter = AtomicU64::new(0);
    twice(|| {
        for _ in 0..n {
            let seen = counter.load(Ordering::Relaxed); // read...
            counter.store(seen + 1, Ordering::Relaxed); // ...write: the other thread may have written in between
        }
    });
    counter.into_inner()
}
// ANCHOR_END: load_store

// ANCHOR: check_then_act
fn locked_twice(n: u64) -> u64 {
    let counter = Mutex::new(0u64);
    twice(|| {
        for _ in 0..n {
            let seen = *counter.lock().expect("not poisoned"); // lock, read, unlock
            *counter.lock().expect("not poisoned") = seen + 1; // lock, write, unlock
        }
    });
    counter.into_inner().expect("not poisoned")
}
// ANCHOR_END: check_then_act

// ANCHOR: fetch_add
fn fetch_add(n: u64) -> u64 {
    let counter = AtomicU64::new(0);
    twice(|| {
        for _ in 0..n {
            counter.fetch_add(1, Ordering::Relaxed); // read-modify-write: one indivisible step
        }
    });
    counter.into_inner()
}
// ANCHOR_END: fetch_add

/// Runs `work` on two threads that start together, and waits for both.
fn twice(work: impl Fn() + Sync) {
    // Each thread spins until the other has arrived, so both are on a CPU when the work starts. (A
    // `Barrier` parks the threads, and on a VM the second can take longer to wake than the first
    // needs for all its increments: the run then loses nothing and proves nothing.)
    let arrived = AtomicU64::new(0);
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                arrived.fetch_add(1, Ordering::SeqCst);
                while arrived.load(Ordering::SeqCst) < 2 {
                    std::hint::spin_loop();
                }
                work();
            });
        }
    });
}

fn main() {
    let n: u64 = std::env::args()
        .nth(1)
        .map_or(10_000_000, |a| a.parse().expect("N: a number"));
    let expected = 2 * n;
    println!("two threads, {n} increments each: expecting {expected}");
    report("atomic load, then store:", load_then_store(n), expected);
    report("Mutex locked twice:", locked_twice(n), expected);
    report("atomic fetch_add:", fetch_add(n), expected);
}

fn report(how: &str, got: u64, expected: u64) {
    println!("{how:<26} {got:>9}  lost {} updates", expected - got);
}
