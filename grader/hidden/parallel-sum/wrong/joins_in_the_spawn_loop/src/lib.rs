// Must fail runs_workers_calls_at_once: joins each thread before spawning the next, so the chunks run one after another.
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
        let mut sum = 0i64;
        for chunk in items.chunks(chunk_len) {
            let partial = scope
                .spawn(move || chunk.iter().map(f).fold(0, i64::wrapping_add))
                .join()
                .unwrap();
            sum = sum.wrapping_add(partial);
        }
        sum
    })
}
