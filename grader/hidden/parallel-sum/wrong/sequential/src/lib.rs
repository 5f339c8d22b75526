// Must fail runs_workers_calls_at_once: ignores `workers` and sums on the calling thread.
pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], _workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    items.iter().map(f).fold(0, i64::wrapping_add)
}
