//! # Parallel sum — reference solution
//!
//! Chapter: `book/src/parallelism.md`.
//!
//! One scoped thread per chunk, at most `workers` chunks, none longer than ⌈len / workers⌉ (the
//! remainder spread one item each, so every worker gets a chunk when there are enough items). Scoped threads may borrow `items` and `f` because
//! `thread::scope` joins every thread it spawned before it returns: nothing outlives the call.

use std::thread;

/// Sum of `numbers`, computed by `workers` threads of execution (0 is treated as 1).
/// Addition wraps on overflow, so the result equals a sequential wrapping sum.
pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    // The same work with `f` the identity: one implementation of the splitting and joining.
    parallel_sum_by(numbers, workers, |n| *n)
}

/// Sum of `f(item)` over `items` (wrapping), with at most `workers` calls of `f` running at once
/// (0 is treated as 1), no thread calling `f` on more than ⌈n / workers⌉ of the n items, and the
/// threads running at the same time.
pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let workers = workers.max(1);
    if items.is_empty() {
        return 0; // No item, no call of `f`, no thread to start.
    }
    // Wrapping addition is associative and commutative, so summing the chunks separately and then
    // the partial sums gives exactly the sequential wrapping sum, whatever the split.
    let sum_of = |chunk: &[T]| chunk.iter().map(&f).fold(0, i64::wrapping_add);
    thread::scope(|scope| {
        // Spawn every thread before joining any: joining inside this loop would run the chunks one
        // after another.
        let handles: Vec<_> = balanced_chunks(items, workers)
            .map(|chunk| scope.spawn(move || sum_of(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|handle| match handle.join() {
                Ok(partial) => partial,
                // `f` panicked on a worker: carry the panic to our caller, as a sequential loop would.
                Err(panic) => std::panic::resume_unwind(panic),
            })
            .fold(0, i64::wrapping_add)
    })
}

/// Splits non-empty `items` into `min(workers, items.len())` contiguous chunks whose lengths differ
/// by at most one (the first `len % chunks` chunks get the extra item), so no chunk is longer than
/// ⌈len / workers⌉. `chunks(len.div_ceil(workers))` is just as fast (5 items on 4 workers: 2 + 2 + 1
/// against this split's 2 + 1 + 1 + 1: the longest chunk has 2 either way) and also passes; this
/// one keeps every worker busy, which matters once items cost different amounts. No chunk is empty.
fn balanced_chunks<T>(items: &[T], workers: usize) -> impl Iterator<Item = &[T]> {
    let chunks = workers.min(items.len()).max(1);
    let (base, extra) = (items.len() / chunks, items.len() % chunks);
    let mut rest = items;
    (0..chunks).map(move |index| {
        let len = base + usize::from(index < extra);
        let (chunk, tail) = rest.split_at(len);
        rest = tail;
        chunk
    })
}
