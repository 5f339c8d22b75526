// Passes: rayon instead of hand-made threads: a ThreadPool of `workers` threads built for the call, running par_iter().map(f).reduce with wrapping_add; work stealing hands out the items, and the pool is dropped before returning.
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
    pool.install(|| items.par_iter().map(&f).reduce(|| 0, i64::wrapping_add))
}
