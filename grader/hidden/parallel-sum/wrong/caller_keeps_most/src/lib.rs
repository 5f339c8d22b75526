// Must fail balances_items_that_split_unevenly: hands one item each to `workers - 1` threads and keeps all the rest for the calling thread — every worker runs at once, yet one thread does most of the work.
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let helpers = (workers.max(1) - 1).min(items.len());
    let (given, kept) = items.split_at(helpers);
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = given
            .iter()
            .map(|item| scope.spawn(move || f(item)))
            .collect();
        let mine = kept.iter().map(f).fold(0, i64::wrapping_add);
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold(mine, i64::wrapping_add)
    })
}
