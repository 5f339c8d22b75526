//! # Parallel sum
//!
//! Read the chapter first: `book/src/parallelism.md`.
//! Then grade your work with `cargo grade run parallel-sum`.

/// Sum of `numbers`, computed by `workers` threads of execution (0 is treated as 1).
/// Addition wraps on overflow, so the result equals a sequential wrapping sum.
pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    todo!(
        "split {} numbers among {workers} workers and add up their partial sums",
        numbers.len()
    )
}

/// Sum of `f(item)` over `items` (wrapping), with at most `workers` calls of `f` running at once
/// (0 is treated as 1), and up to `workers` of them running at once when there are at least
/// `workers` items.
pub fn parallel_sum_by<T, F>(items: &[T], workers: usize, f: F) -> i64
where
    T: Sync,
    F: Fn(&T) -> i64 + Sync,
{
    let _ = f;
    todo!(
        "call f on each of {} items, on up to {workers} threads at once",
        items.len()
    )
}
