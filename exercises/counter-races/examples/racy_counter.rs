//! Go's racy `counter++`, in safe Rust: each thread loads the count and then stores it plus one.
//! Each load and store is atomic, so this is not undefined behaviour — and still updates get lost,
//! because another thread can store between our load and our store. The same threads with
//! `fetch_add` (one atomic read-modify-write) lose nothing.
//!
//! ```text
//! cargo run -p counter-races --example racy_counter [THREADS] [INCREMENTS_PER_THREAD]
//! ```
//!
//! How many updates are lost depends on the machine and its load (with one CPU, or few
//! increments, the threads may not overlap at all and lose nothing); `tests/lost_update_model.rs`
//! finds the losing interleaving every time with loom.

use std::sync::atomic::{AtomicU64, Ordering};
use std::thread;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let threads: u64 = parse(args.next(), 4, "THREADS");
    let increments: u64 = parse(args.next(), 1_000_000, "INCREMENTS_PER_THREAD");
    let expected = threads * increments;
    println!("{threads} threads x {increments} increments = {expected} expected");

    for (name, increment) in [
        ("load, then store", load_then_store as fn(&AtomicU64)),
        ("fetch_add", fetch_add),
    ] {
        let counter = AtomicU64::new(0);
        let started = Instant::now();
        thread::scope(|scope| {
            for _ in 0..threads {
                scope.spawn(|| {
                    for _ in 0..increments {
                        increment(&counter);
                    }
                });
            }
        });
        let got = counter.load(Ordering::Relaxed);
        let lost = expected - got;
        println!(
            "{name:>16}: counted {got:>10}, lost {lost:>10} ({:.1}%) in {:?}",
            100.0 * lost as f64 / expected as f64,
            started.elapsed()
        );
    }
}

/// Go's `counter++`: read, add, write — three steps another thread can come between.
fn load_then_store(counter: &AtomicU64) {
    let seen = counter.load(Ordering::Relaxed);
    counter.store(seen + 1, Ordering::Relaxed);
}

/// One indivisible read-modify-write.
fn fetch_add(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

fn parse(arg: Option<String>, default: u64, name: &str) -> u64 {
    match arg {
        None => default,
        Some(text) => text.parse().unwrap_or_else(|_| {
            eprintln!("{name} must be a whole number, got {text:?}");
            std::process::exit(2);
        }),
    }
}
