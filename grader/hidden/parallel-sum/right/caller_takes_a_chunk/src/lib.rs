// Passes: spawns a scoped thread for every chunk but the first, sums the first on the calling thread meanwhile (workers threads call f, the caller among them), then joins; chunks from chunks_exact plus a shorter tail.
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
    let size = items.len().div_ceil(workers.max(1));
    let exact = items.chunks_exact(size);
    let tail = exact.remainder();
    let mut chunks: Vec<&[T]> = exact.collect();
    if !tail.is_empty() {
        chunks.push(tail);
    }
    let sum_of = |chunk: &[T]| chunk.iter().map(&f).fold(0, i64::wrapping_add);
    thread::scope(|scope| {
        let (first, others) = chunks.split_first().expect("at least one chunk");
        let handles: Vec<_> = others
            .iter()
            .map(|chunk| scope.spawn(|| sum_of(chunk)))
            .collect();
        let mine = sum_of(first);
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .fold(mine, i64::wrapping_add)
    })
}
