// Must fail calls_f_from_at_most_workers_threads: spawns a thread per item, in waves of `workers`, so at most `workers` run at once but `len` threads call f.
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let f = &f;
    let mut sum = 0i64;
    for wave in items.chunks(workers.max(1)) {
        thread::scope(|scope| {
            let handles: Vec<_> = wave.iter().map(|item| scope.spawn(move || f(item))).collect();
            for handle in handles {
                sum = sum.wrapping_add(handle.join().unwrap());
            }
        });
    }
    sum
}
