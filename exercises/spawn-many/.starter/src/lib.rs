//! # Spawn many
//!
//! Go's first lesson on goroutines: put `go` in front of a call and it runs beside you; put it in
//! a loop and ten thousand calls run at once, for the price of a few hundred bytes each. Here you
//! write that loop for the Tasklings runtime: one async call per input, each in a task of its
//! own, all running at the same time, and every output collected in the order of the inputs.
//!
//! Read the chapters first: `book/src/first-task.md` (spawn a task, await its handle) and
//! `book/src/ten-thousand-tasks.md` (spawn thousands, wait for all of them; it ends at this
//! exercise). Then grade your work with `cargo grade run spawn-many`, and ask for hints with
//! `cargo grade hint spawn-many`. Only this file is yours to change; keep the signature of
//! [`spawn_all`] exactly as it is (private helpers are welcome).
//!
//! What the grader checks, with the `f` it hands you:
//! - **outputs**: one per input, in the order of the inputs, whatever order the tasks finish in.
//!   The grader's tasks finish in *reverse* order on purpose, so outputs collected as tasks finish
//!   come back reversed. No inputs, no outputs.
//! - **one task per input**: the runtime counts the tasks spawned (`runtime::metrics()`, which,
//!   called outside any runtime, covers every runtime the process has run). For n inputs it must
//!   count n tasks — one more or two of your own (a task that spawns the others) are fine, one
//!   task for all the inputs or none at all are not. So the tasks must be Tasklings tasks: not OS
//!   threads, not tokio tasks, not futures joined inside a single task.
//! - **all at the same time**: the grader's futures wait for one another (a *rendezvous*): they
//!   return only once every one of them has started. Code that spawns all the tasks before it
//!   waits for any gets them all together at once; code that awaits each task before it spawns
//!   the next leaves the first one waiting, and the rendezvous gives up after a second and a half.
//! - **no OS thread per input**: the process's threads are counted while all the tasks wait.
//!   Tasks share the runtime's few worker threads; a thread per input (`std::thread::spawn`,
//!   `spawn_blocking`, a runtime per input) is what tasks replace.
//! - **hundreds of bytes per task**: 100,000 inputs, all waiting at once, and the growth of the
//!   process's peak resident memory divided by 100,000. A Tasklings task costs about 150 bytes;
//!   an OS thread costs kilobytes.
//!
//! No test times your code against the clock.

use std::future::Future;

/// Runs `f(input)` for every input, each as its own task on the Tasklings runtime, all at the
/// same time, and returns their outputs in the order of `inputs`.
///
/// - One task per input: spawned with `runtime::spawn` (or `spawn_named`, or `Runtime::spawn`),
///   *all* of them before waiting for any.
/// - Every task has finished when this returns: nothing is left running in the background.
/// - The runtime is yours to start: `runtime::run(async move { … })` starts one, runs your
///   future on this thread, and shuts the runtime down when the future returns — dropping any
///   task that hasn't finished yet, as Go drops goroutines when `main` returns.
/// - `f` is called once per input; it doesn't block (its futures `.await` instead).
/// - If a task panics, `spawn_all` panics too, saying which input's task failed.
///
/// ```no_run
/// // Each call sleeps 100 ms; a thousand of them, all at once, take about 100 ms in all.
/// let inputs: Vec<u64> = (1..=1000).collect();
/// let squares = spawn_many::spawn_all(inputs, |n| async move {
///     runtime::sleep(std::time::Duration::from_millis(100)).await;
///     n * n
/// });
/// assert_eq!(squares[..3], [1, 4, 9]);
/// ```
pub fn spawn_all<T, F, Fut>(inputs: Vec<T>, f: F) -> Vec<Fut::Output>
where
    T: Send + 'static,
    F: Fn(T) -> Fut + Send + Sync + 'static,
    Fut: Future + Send + 'static,
    Fut::Output: Send + 'static,
{
    let _ = f;
    todo!(
        "spawn one task per input ({} of them), then collect their outputs in input order",
        inputs.len()
    )
}
