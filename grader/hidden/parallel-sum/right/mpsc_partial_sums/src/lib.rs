// Passes: each chunk takes ⌈what is left / threads left⌉ items (a balanced split computed as it goes), and the scoped threads send their partial sums over an mpsc channel instead of being joined one by one.
use std::sync::mpsc;
use std::thread;

pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    parallel_sum_by(numbers, workers, |n| *n)
}

pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let threads = workers.max(1).min(items.len());
    let (sender, receiver) = mpsc::channel::<i64>();
    let f = &f;
    thread::scope(|scope| {
        let mut rest = items;
        for left in (1..=threads).rev() {
            let (chunk, tail) = rest.split_at(rest.len().div_ceil(left));
            rest = tail;
            let sender = sender.clone();
            scope.spawn(move || {
                let partial = chunk.iter().map(f).fold(0, i64::wrapping_add);
                // The receiver outlives the scope: this send can't fail.
                sender.send(partial).expect("the receiver is alive");
            });
        }
    });
    drop(sender);
    receiver.iter().fold(0, i64::wrapping_add)
}
