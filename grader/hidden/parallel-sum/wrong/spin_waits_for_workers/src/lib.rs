// Must fail waits_for_workers_without_spinning: the caller busy-waits on a counter instead of joining.
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
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
    let chunks = workers.min(items.len());
    if chunks == 0 {
        return 0;
    }
    let (base, extra) = (items.len() / chunks, items.len() % chunks);
    let done = AtomicUsize::new(0);
    let total = AtomicI64::new(0);
    let (f, done_ref, total_ref) = (&f, &done, &total);
    thread::scope(|scope| {
        let mut rest = items;
        for index in 0..chunks {
            let (chunk, tail) = rest.split_at(base + usize::from(index < extra));
            rest = tail;
            scope.spawn(move || {
                let partial = chunk.iter().map(f).fold(0, i64::wrapping_add);
                total_ref.fetch_add(partial, Ordering::SeqCst);
                done_ref.fetch_add(1, Ordering::SeqCst);
            });
        }
        // "Wait" for the workers by spinning on the counter.
        while done.load(Ordering::SeqCst) < chunks {
            std::hint::spin_loop();
        }
    });
    total.load(Ordering::SeqCst)
}
