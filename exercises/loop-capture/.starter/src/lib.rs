//! # The loop-variable mistake — a fix-it exercise
//!
//! Read the chapter first: `book/src/loop-capture.md`. It ends at this exercise.
//!
//! **This file does not compile, on purpose.** It is Go's classic loop written literally for the
//! Tasklings runtime: inside a `for` loop, each task *borrows* the loop's variables (`index`,
//! `input`) and the function's `work`, `wg` and `results` — and all of them push into one shared
//! `Vec`. `cargo grade run loop-capture` shows you rustc's errors (E0373, "async block may outlive
//! the current function", and E0499 for the shared `Vec`); the chapter's section "When the tasks
//! fill one Vec" explains them. Make it compile *and* be right, then run the grader again until
//! every test passes (`cargo grade hint loop-capture` when stuck).
//!
//! The function's signature stays exactly as it is. How you share or collect the results is up
//! to you, as long as [`map_concurrently`] keeps its promises; you may add private helpers.
//! (This crate is left out of the workspace while it doesn't compile — see its `Cargo.toml` —
//! so build it through the grader, not with `cargo build`.)
//!
//! What the grader checks, and how:
//! - **the outputs**: one per input, `outputs[i]` being what `work(inputs[i])` returned, in the
//!   order of `inputs` — for no inputs, one, repeated inputs and a few hundred random ones. The
//!   grader's `work` computes a number you can't guess, and counts its calls: every input must be
//!   worked on exactly once (a task that reads the loop's state *after* the loop has moved on
//!   works on the wrong input).
//! - **input order, whatever order the tasks finish in**: the grader makes the tasks finish in
//!   reverse, so results collected in finishing order come back reversed.
//! - **one task per input, all at once**: the runtime's counters (`runtime::metrics()`) must show
//!   a task spawned per input, and the grader's `work` waits until every call has started before
//!   any may finish. Tasks spawned and then awaited one by one inside the loop never get there.
//! - **nothing lost under contention**: thousands of inputs on four workers, whose tasks all
//!   finish at the same moment, several times over. Every output must arrive. (The grader also
//!   makes a growing Vec pause, so that pushes that race — a Vec shared without a lock — lose
//!   results on every run, not only on an unlucky one.)
//! - **nothing left over**: when the function returns, no call of `work` is still running, and a
//!   second call knows nothing of the first (no results kept in a `static`).
//!
//! The output checks run with `TASKLINGS_LAZY_SPAWN=1` (the WaitGroup chapter explains it): a
//! task starts only when the code that spawned it reaches its next `.await`, so code that relies
//! on a task starting early (reading the results before waiting, `wg.add` inside the task)
//! fails on every run, not now and then. No test times your code against the clock.

use std::future::Future;

use runtime::WaitGroup;

/// Calls `work(input)` once for every input, each call in a task of its own on the Tasklings
/// runtime, all of them running at once, and returns what the calls returned in the order of
/// `inputs`: `outputs[i]` is the output of `work(inputs[i])`. Returns after every task has
/// finished.
///
/// Runs its own runtime (`runtime::run`), like Go's `main`: a task still running when
/// `runtime::run`'s future returns dies with the runtime.
pub fn map_concurrently<F, Fut>(inputs: &[u64], work: F) -> Vec<u64>
where
    F: Fn(u64) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = u64> + Send + 'static,
{
    runtime::run(async move {
        let mut results = Vec::new();
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            wg.add(1);
            // Go: `go func() { results = append(results, pair{index, work(input)}); wg.Done() }()`
            runtime::spawn(async {
                let output = work(input).await;
                results.push((index, output));
                wg.done();
            });
        }
        wg.wait().await;
        // The pairs arrive in the order the tasks finish: put them back in input order.
        let mut pairs = std::mem::take(&mut results);
        pairs.sort_unstable();
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}
