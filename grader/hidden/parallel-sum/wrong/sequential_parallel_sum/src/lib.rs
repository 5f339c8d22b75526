// Must fail parallel_sum_starts_worker_threads: parallel_sum_by is right, but parallel_sum adds up the numbers in one loop.
use std::thread;

pub fn parallel_sum(numbers: &[i64], _workers: usize) -> i64 {
    numbers.iter().fold(0, |sum, n| sum.wrapping_add(*n))
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let workers = workers.max(1);
    let chunks = workers.min(items.len());
    if chunks == 0 {
        return 0;
    }
    let (base, extra) = (items.len() / chunks, items.len() % chunks);
    let f = &f;
    thread::scope(|scope| {
        let mut rest = items;
        let mut handles = Vec::new();
        for index in 0..chunks {
            let (chunk, tail) = rest.split_at(base + usize::from(index < extra));
            rest = tail;
            handles.push(scope.spawn(move || chunk.iter().map(f).fold(0, i64::wrapping_add)));
        }
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, i64::wrapping_add)
    })
}
