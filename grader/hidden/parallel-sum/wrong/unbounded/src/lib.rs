// Must fail never_runs_more_than_workers_calls_at_once: one thread per item, all at once, `workers` ignored.
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], _workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = items.iter().map(|item| scope.spawn(move || f(item))).collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, i64::wrapping_add)
    })
}
