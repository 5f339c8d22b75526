//! Finding a race by checking every interleaving: loom, Rust's answer to `go run -race` for
//! logic races.
//!
//!     cargo run -p runtime --example loom_lost_update
//!
//! loom runs the closure once per possible interleaving of the threads' atomic operations, with
//! loom's own `thread` and `atomic` types standing in for std's.

use loom::sync::atomic::{AtomicU64, Ordering};
use loom::sync::Arc;
use loom::thread;

// ANCHOR: model
/// Two threads each increment the counter once with `increment`; is the total always 2?
fn always_two(increment: fn(&AtomicU64)) -> bool {
    // A model that fails panics; run it on its own thread so the panic ends only that thread.
    let outcome = std::thread::spawn(move || {
        loom::model(move || {
            let counter = Arc::new(AtomicU64::new(0));
            let other = {
                let counter = counter.clone();
                thread::spawn(move || increment(&counter))
            };
            increment(&counter);
            other.join().expect("no panic");
            assert_eq!(counter.load(Ordering::Relaxed), 2, "an increment was lost");
        });
    });
    outcome.join().is_ok()
}

fn load_then_store(counter: &AtomicU64) {
    let seen = counter.load(Ordering::Relaxed);
    counter.store(seen + 1, Ordering::Relaxed);
}

fn fetch_add(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}
// ANCHOR_END: model

fn main() {
    std::panic::set_hook(Box::new(|_| {})); // the failing model's panic is expected: keep quiet
                                            // ANCHOR: run
    println!(
        "load, then store: always 2? {}",
        always_two(load_then_store)
    );
    println!("fetch_add:        always 2? {}", always_two(fetch_add));
    // ANCHOR_END: run
}
