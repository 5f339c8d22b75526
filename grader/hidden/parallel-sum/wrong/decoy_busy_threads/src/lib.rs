// Must fail runs_workers_calls_at_once: spawns `workers` threads that spin to look busy while the caller sums alone.
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let finished = AtomicBool::new(false);
    thread::scope(|scope| {
        for _ in 0..workers.max(1) {
            scope.spawn(|| {
                while !finished.load(Ordering::Relaxed) {
                    std::hint::spin_loop();
                }
            });
        }
        let sum = items.iter().map(&f).fold(0, i64::wrapping_add);
        finished.store(true, Ordering::Relaxed);
        sum
    })
}
