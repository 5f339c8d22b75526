// Must fail leaves_nothing_running_after_return: correct sums, but detaches a thread that keeps spinning after return "to look busy".
use std::sync::Once;
use std::thread;

static SPINNER: Once = Once::new();

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    // Once per process, so the grading machine isn't flooded with spinners.
    SPINNER.call_once(|| {
        thread::spawn(|| loop {
            std::hint::spin_loop();
        });
    });
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
