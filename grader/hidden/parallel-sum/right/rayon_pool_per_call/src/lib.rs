// Passes: rayon instead of hand-made threads: a ThreadPool of `workers` threads built for the call, running par_iter().with_max_len(1).map(f).reduce with wrapping_add — every item a piece of its own, so work stealing hands items out one at a time (left to itself rayon may give one thread a run longer than its share) — and the pool dropped before returning.
use rayon::prelude::*;

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
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(workers.max(1).min(items.len()))
        .build()
        .expect("a thread pool starts");
    pool.install(|| {
        items
            .par_iter()
            .with_max_len(1)
            .map(&f)
            .reduce(|| 0, i64::wrapping_add)
    })
}
