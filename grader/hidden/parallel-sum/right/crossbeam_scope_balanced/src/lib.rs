// Passes: crossbeam's scoped threads instead of std's, a balanced split made by slicing at i * len / chunks, and an iterator over the handles folded in reverse.
pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let len = items.len();
    let chunks = workers.max(1).min(len);
    let f = &f;
    crossbeam::thread::scope(|scope| {
        let handles: Vec<_> = (0..chunks)
            .map(|i| &items[i * len / chunks..(i + 1) * len / chunks])
            .map(|chunk| scope.spawn(move |_| chunk.iter().map(f).fold(0, i64::wrapping_add)))
            .collect();
        handles
            .into_iter()
            .rev()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .fold(0, i64::wrapping_add)
    })
    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}
