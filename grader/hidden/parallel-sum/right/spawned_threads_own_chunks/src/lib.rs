// Passes: parallel_sum copies its chunks into owned Vecs and uses thread::spawn + JoinHandle::join (no scope); parallel_sum_by, whose f can't be sent to a 'static thread, uses thread::Builder's scoped spawn with named threads and a remainder-first split.
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    if numbers.is_empty() {
        return 0;
    }
    let handles: Vec<thread::JoinHandle<i64>> = split(numbers.len(), workers)
        .map(|range| {
            let chunk = numbers[range].to_vec();
            thread::spawn(move || chunk.into_iter().fold(0, i64::wrapping_add))
        })
        .collect();
    handles
        .into_iter()
        .map(|handle| {
            handle
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
        })
        .fold(0, i64::wrapping_add)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let f = &f;
    thread::scope(|scope| {
        let handles: Vec<_> = split(items.len(), workers)
            .enumerate()
            .map(|(index, range)| {
                thread::Builder::new()
                    .name(format!("sum-{index}"))
                    .spawn_scoped(scope, move || {
                        items[range].iter().map(f).fold(0, i64::wrapping_add)
                    })
                    .expect("a thread starts")
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| {
                handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .fold(0, i64::wrapping_add)
    })
}

/// `len` indices in min(workers, len) ranges; the first `len % ranges` get one more.
fn split(len: usize, workers: usize) -> impl Iterator<Item = std::ops::Range<usize>> {
    let ranges = workers.max(1).min(len);
    let (base, extra) = if ranges == 0 {
        (0, 0)
    } else {
        (len / ranges, len % ranges)
    };
    (0..ranges).scan(0, move |start, index| {
        let end = *start + base + usize::from(index < extra);
        let range = *start..end;
        *start = end;
        Some(range)
    })
}
