//! The lost update, found by a model checker rather than by luck.
//!
//! `loom::model` runs the closure once for every way its threads' atomic operations can
//! interleave (within loom's bounds), so the interleaving that loses an update — both threads load
//! 0, both store 1 — is found on every run, on any machine, however quiet. The same model with
//! `fetch_add` passes in every interleaving.
//!
//! loom's types are used directly (`loom::sync::atomic::AtomicU64`, `loom::thread::spawn`), so no
//! special `--cfg` is needed. These tests never call the exercise's functions.

use std::panic::{self, AssertUnwindSafe};

use loom::sync::atomic::{AtomicU64, Ordering};
use loom::sync::Arc;
use loom::thread;

const LOST: &str = "an increment was lost";

/// Two threads each add one to a counter with `increment`, then the model checks the total.
fn two_threads_increment(increment: fn(&AtomicU64)) {
    loom::model(move || {
        let counter = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..2)
            .map(|_| {
                let counter = Arc::clone(&counter);
                thread::spawn(move || increment(&counter))
            })
            .collect();
        for thread in threads {
            thread.join().expect("the thread finished");
        }
        assert_eq!(counter.load(Ordering::SeqCst), 2, "{LOST}");
    });
}

/// Go's `counter++`: a load, then a store of the value plus one. Atomic loads and stores, so no
/// undefined behaviour — and still a race.
fn load_then_store(counter: &AtomicU64) {
    let seen = counter.load(Ordering::SeqCst);
    counter.store(seen + 1, Ordering::SeqCst);
}

/// One atomic read-modify-write.
fn fetch_add(counter: &AtomicU64) {
    counter.fetch_add(1, Ordering::Relaxed);
}

#[test]
fn loom_finds_the_lost_update_of_load_then_store() {
    // loom reports the failing interleaving by panicking; catch it and check it is ours.
    let quiet = panic::take_hook();
    panic::set_hook(Box::new(|_| {}));
    let outcome = panic::catch_unwind(AssertUnwindSafe(|| two_threads_increment(load_then_store)));
    panic::set_hook(quiet);
    let payload = outcome.expect_err("loom must find an interleaving that loses an update");
    let message = payload
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| payload.downcast_ref::<&str>().copied())
        .unwrap_or_default();
    assert!(
        message.contains(LOST),
        "loom failed the model, but not on the lost update: {message}"
    );
}

#[test]
fn loom_finds_no_lost_update_with_fetch_add() {
    two_threads_increment(fetch_add);
}
