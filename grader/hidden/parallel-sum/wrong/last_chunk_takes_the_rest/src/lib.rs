// Must fail balances_items_that_split_unevenly: chunks of len / workers with the whole remainder added to the last one, so 9 items on 6 workers run as 1+1+1+1+1+4 (the busiest thread has 4, twice ⌈9/6⌉).
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let workers = workers.max(1).min(items.len());
    if workers == 0 {
        return 0;
    }
    let size = items.len() / workers;
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|i| {
                let end = if i + 1 == workers {
                    items.len()
                } else {
                    (i + 1) * size
                };
                let chunk = &items[i * size..end];
                scope.spawn(move || chunk.iter().map(f).fold(0, i64::wrapping_add))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(0, i64::wrapping_add)
    })
}
