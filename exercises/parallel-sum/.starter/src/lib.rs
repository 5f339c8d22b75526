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
//!   once, no thread calling `f` on more than ⌈n / workers⌉ of the n items, and as many calls at
//!   once as such a split allows (`workers` when the items divide evenly; the grader's `f` waits
//!   for its siblings, so calls made one after another are caught), no more than `workers`
//!   threads in all, no thread left running after the function returns, no thread spinning while
//!   it waits;
//! - that [`parallel_sum`] really starts threads.
//!
//! What is measured, and why. Each check asks what the code achieves, not how it is written:
//! - *No thread gets more than ⌈n/w⌉ items*: the busiest thread decides how long the whole call
//!   takes, and ⌈n/w⌉ is the least any split of n items over w threads gives its busiest. Chunks of
//!   `len.div_ceil(workers)` (5 items on 4 workers: 2+2+1) and chunks that differ by at most one
//!   (2+1+1+1) are equally fast; "`len / workers` each, the rest to the last" (9 on 6:
//!   1+1+1+1+1+4) is not. Items handed out one at a time from a shared counter qualify too: the
//!   grader's `f` holds each thread's last call of its share until the calls on all items have
//!   started, so such code gets a fair share on every run, not only on a lucky one. (rayon's
//!   `par_iter` too when its pieces are single items, `with_max_len(1)`; left to itself it may
//!   give one thread a run of items longer than its share.)
//! - *Calls at once*: a split whose chunks hold at most ⌈n/w⌉ items has at least ⌈n / ⌈n/w⌉⌉
//!   of them; running them all at once, up to `w`, is what makes it parallel. So the grader asks
//!   for `min(w, ⌈n / ⌈n/w⌉⌉)` calls at once — 3 for 5 items on 4 workers, 4 for 100 on 4.
//! - *At most `w` at once, at most `w` threads*: `workers` is a budget (CPUs, memory, a service's
//!   limit); a thread per item, even in waves, starts a thread per item.
//! - *Nothing left running, no spinning*: the caller gets its CPUs back when the call returns,
//!   and waiting for threads costs no CPU.
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
/// (0 is treated as 1), no thread calling `f` on more than ⌈n / workers⌉ of the n items, and the
/// threads running at the same time.
///
/// Call `f` exactly once per item, on threads that have all finished when this function returns.
/// With fewer items than workers, each item may get a thread of its own; with more, each thread
/// takes several items (`len.div_ceil(workers)` of them is a fine chunk size).
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
