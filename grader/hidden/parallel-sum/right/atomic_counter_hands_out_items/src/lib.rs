// Passes: no split up front: min(workers, len) scoped threads take the next item from a shared AtomicUsize until none are left, and add what f returns into one AtomicI64 (fetch_add wraps).
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let threads = workers.max(1).min(items.len());
    let next = AtomicUsize::new(0);
    let total = AtomicI64::new(0);
    thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let mut mine = 0i64;
                // Relaxed is enough for the counter: each index is handed out once, and the
                // scope's join publishes every thread's writes to the caller.
                while let Some(item) = items.get(next.fetch_add(1, Ordering::Relaxed)) {
                    mine = mine.wrapping_add(f(item));
                }
                total.fetch_add(mine, Ordering::Relaxed);
            });
        }
    });
    total.load(Ordering::Relaxed)
}
