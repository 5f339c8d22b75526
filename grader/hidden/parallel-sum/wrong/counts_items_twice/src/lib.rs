// Must fail calls_f_once_per_item: overlapping chunks (windows that share their edge item) call f twice on some items.
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
    let workers = workers.max(1);
    let step = items.len().div_ceil(workers);
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = (0..items.len())
            .step_by(step)
            .map(|start| {
                // Off by one: each chunk also takes the first item of the next one.
                let chunk = &items[start..(start + step + 1).min(items.len())];
                scope.spawn(move || chunk.iter().map(f).fold(0, i64::wrapping_add))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, i64::wrapping_add)
    })
}
