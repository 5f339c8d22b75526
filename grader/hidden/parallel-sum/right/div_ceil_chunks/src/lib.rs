// Passes: chunks(len.div_ceil(workers)) on scoped threads; 5 items on 4 workers run as 2+2+1 on three threads, as fast as 2+1+1+1 (the busiest thread has 2 either way).
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    if items.is_empty() {
        return 0;
    }
    let chunk_len = items.len().div_ceil(workers.max(1));
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = items
            .chunks(chunk_len)
            .map(|chunk| scope.spawn(move || chunk.iter().map(f).fold(0, i64::wrapping_add)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, i64::wrapping_add)
    })
}
