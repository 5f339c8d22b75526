//! # Parallel sum
//!
//! Read the chapter first: `book/src/parallelism.md`. It ends at this exercise.
//! Then grade your work with `cargo grade run parallel-sum` (and `cargo grade hint parallel-sum`
//! when stuck).
//!
//! Split a slice among `workers` threads, let each add up its own part, and combine the partial
//! sums. Only this file is yours to change; keep both signatures exactly as they are.
//!
//! What the grader checks:
//! - the sums: an empty slice, one item, fewer items than workers, `workers == 0`, slices that
//!   don't divide evenly, overflow (addition wraps), and random slices against a plain loop;
//! - how [`parallel_sum_by`] runs `f`: every item exactly once, never more than `workers` calls at
//!   once, really `workers` calls at once when there are enough items (the grader's `f` waits for
//!   its siblings, so calls made one after another are caught), no more than `workers` threads in
//!   all, no thread left running after the function returns, no thread spinning while it waits;
//! - that [`parallel_sum`] really starts threads.
//!
//! No test times your code against the clock: a plain `i64` sum is limited by memory bandwidth
//! more than by the CPU, so how much more threads speed it up depends on the machine (the book's
//! next chapter, `book/src/cpu-memory-io.md`, measures it).

/// Sum of `numbers`, computed by `workers` threads of execution (0 is treated as 1).
/// Addition wraps on overflow, so the result equals a sequential wrapping sum.
///
/// For example `parallel_sum(&[1, 2, 3, 4, 5], 2)` might add `[1, 2, 3]` on one thread and `[4, 5]`
/// on another and return `15`; `parallel_sum(&[i64::MAX, 1], 2)` returns `i64::MIN`.
pub fn parallel_sum(numbers: &[i64], workers: usize) -> i64 {
    todo!(
        "split {} numbers among {workers} workers and add up their partial sums",
        numbers.len()
    )
}

/// Sum of `f(item)` over `items` (wrapping), with at most `workers` calls of `f` running at once
/// (0 is treated as 1), and up to `workers` of them running at once when there are at least
/// `workers` items.
///
/// Call `f` exactly once per item, on threads that have all finished when this function returns.
/// With fewer items than workers, each item may get a thread of its own; with more, each of the
/// `workers` threads takes several items.
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
