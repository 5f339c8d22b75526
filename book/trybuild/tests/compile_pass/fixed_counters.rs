// The programs of compile_fail/ and of the counter-races exercise's tests/error_codes/, fixed:
// each compiles, runs, and loses nothing.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn main() {
    // Shared ownership + atomic read-modify-write, with `move` giving each thread its own Arc.
    let counter = Arc::new(AtomicU64::new(0));
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let counter = Arc::clone(&counter);
            thread::spawn(move || {
                for _ in 0..1000 {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
            })
        })
        .collect();
    for handle in handles {
        handle.join().unwrap();
    }
    assert_eq!(counter.load(Ordering::Relaxed), 2000);

    // Scoped threads borrowing one Mutex.
    let counter = Mutex::new(0_u64);
    thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..1000 {
                    *counter.lock().unwrap() += 1;
                }
            });
        }
    });
    assert_eq!(*counter.lock().unwrap(), 2000);

    // A global counter: an atomic static needs no unsafe.
    thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                for _ in 0..1000 {
                    COUNTER.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
    });
    assert_eq!(COUNTER.load(Ordering::Relaxed), 2000);

    // The loop variable, moved into each thread.
    let handles: Vec<_> = (0..3).map(|i| thread::spawn(move || i * 10)).collect();
    let seen: Vec<i32> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(seen, [0, 10, 20]);
}
