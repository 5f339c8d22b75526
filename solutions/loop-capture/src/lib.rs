//! # The loop-variable mistake — reference solution
//!
//! The starter is Go's loop written literally: every task *borrows* the loop's `index` and
//! `input` and the function's `work`, `wg` and `results`, and every task pushes into the one
//! `results` Vec. rustc refuses twice over: E0373 (a spawned task may outlive what it borrows)
//! and E0499 (many tasks holding `&mut results` at once — Go's data race on `append`).
//!
//! The fix, in the chapter's words: each task *owns* what it uses (`async move`), and what the
//! tasks share they share through a handle cloned per iteration — Go's old `x := x`, written on
//! purpose:
//! - `index` and `input` are `Copy`: `move` copies this iteration's values into the task;
//! - `work` goes behind an `Arc`, and each task gets a clone of the `Arc` (one `work`, many
//!   owners);
//! - the `WaitGroup`'s clones share one counter;
//! - `results` becomes an `Arc<Mutex<Vec<_>>>`: one Vec, many handles, one task at a time inside.
//!   (Cloning a plain `Vec` would compile too — and give each task a copy of its own, so every
//!   push would be lost with the copy.)

use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

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
        let work = Arc::new(work);
        let results = Arc::new(Mutex::new(Vec::with_capacity(inputs.len())));
        let wg = WaitGroup::new();
        for (index, &input) in inputs.iter().enumerate() {
            // Count the task before spawning it, never inside it.
            wg.add(1);
            // This iteration's handles, moved into the task with copies of `index` and `input`.
            let work = Arc::clone(&work);
            let results = Arc::clone(&results);
            let done = DoneOnDrop(wg.clone());
            runtime::spawn(async move {
                let _done = done;
                let output = work(input).await;
                // The guard lives for this statement only: the lock is held for the push, no longer.
                lock(&results).push((index, output));
            });
        }
        wg.wait().await;
        // Every task has pushed (each push happens before its `done`, and `wait` returns after the
        // last `done`). Take the pairs out: the guard is a temporary, dropped at the `;`.
        let mut pairs = std::mem::take(&mut *lock(&results));
        assert_eq!(
            pairs.len(),
            inputs.len(),
            "a call of `work` panicked: its task ended without an output"
        );
        // The pairs arrive in the order the tasks finish: put them back in input order.
        pairs.sort_unstable_by_key(|&(index, _)| index);
        pairs.into_iter().map(|(_, output)| output).collect()
    })
}

/// Calls `done` when dropped: Go's `defer wg.Done()`, also when `work` panics.
struct DoneOnDrop(WaitGroup);

impl Drop for DoneOnDrop {
    fn drop(&mut self) {
        self.0.done();
    }
}

/// Locks the results. A task that panicked while holding the lock could only have been in the
/// middle of a `push`, which leaves the Vec valid: keep going.
fn lock<T>(results: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    results.lock().unwrap_or_else(PoisonError::into_inner)
}
