// Must fail sums_slices_that_split_unevenly: chunks of len / workers, only `workers` of them, so the remainder is never summed.
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let workers = workers.max(1);
    let chunk_len = (items.len() / workers).max(1);
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk_len)
            .take(workers)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).fold(0, i64::wrapping_add)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, i64::wrapping_add)
    })
}
