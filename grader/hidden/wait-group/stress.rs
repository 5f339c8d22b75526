//! The group under load, as programs use it: thousands of tasks on a runtime with several
//! workers call `done`, while tasks await `wait()` and threads block in `wait_blocking`, round
//! after round on one reused group.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;

use wait_group::WaitGroup;

use crate::support::{finishes_making_progress, Progress};

const ROUNDS: usize = 20;
const JOBS: usize = 1_000;
const WAITING_TASKS: usize = 8;
const WAITING_THREADS: usize = 2;

/// Every waiter returns, and only after every job of its round has finished.
pub fn counts_thousands_of_tasks_on_several_workers() {
    let outcome = finishes_making_progress(
        "rounds",
        "a waiter never returned: some wait() or wait_blocking() was still waiting after every \
         job of its round had called done() — a lost wake-up, or a waiter that was never \
         registered. (The task dump below shows which tasks were still waiting.)",
        rounds,
    );
    if let Err(early) = outcome {
        panic!("{early}");
    }
}

/// Plays the rounds; `Err` says which waiter returned too early.
fn rounds(progress: Progress) -> Result<(), String> {
    let runtime = runtime::Runtime::builder()
        .workers(4)
        .build()
        .expect("a runtime with 4 workers");
    let group = WaitGroup::new();
    for round in 0..ROUNDS {
        progress.tick();
        let finished = Arc::new(AtomicUsize::new(0));
        // Go's rule: add before starting the jobs (and before any wait of this round).
        group.add(JOBS);
        let threads: Vec<_> = (0..WAITING_THREADS)
            .map(|_| {
                let group = group.clone();
                let finished = Arc::clone(&finished);
                thread::spawn(move || {
                    group.wait_blocking();
                    finished.load(Ordering::SeqCst)
                })
            })
            .collect();
        let seen_by_tasks = runtime.block_on({
            let group = group.clone();
            let finished = Arc::clone(&finished);
            async move {
                let waiters: Vec<_> = (0..WAITING_TASKS)
                    .map(|_| {
                        let group = group.clone();
                        let finished = Arc::clone(&finished);
                        runtime::spawn_named("a task awaiting wait()", async move {
                            group.wait().await;
                            finished.load(Ordering::SeqCst)
                        })
                    })
                    .collect();
                for job in 0..JOBS {
                    let group = group.clone();
                    let finished = Arc::clone(&finished);
                    runtime::spawn(async move {
                        if job % 3 == 0 {
                            runtime::yield_now().await;
                        }
                        finished.fetch_add(1, Ordering::SeqCst);
                        group.done();
                    });
                }
                group.wait().await;
                let mut seen = vec![finished.load(Ordering::SeqCst)];
                for waiter in waiters {
                    seen.push(waiter.await.expect("a waiting task"));
                }
                seen
            }
        });
        let seen_by_threads: Vec<usize> = threads
            .into_iter()
            .map(|t| t.join().expect("a waiting thread"))
            .collect();
        for (who, seen) in seen_by_tasks
            .iter()
            .map(|s| ("a task awaiting wait()", *s))
            .chain(
                seen_by_threads
                    .iter()
                    .map(|s| ("a thread in wait_blocking()", *s)),
            )
        {
            if seen != JOBS {
                return Err(format!(
                    "round {round}: {who} returned when {seen} of {JOBS} jobs had finished. A \
                     wait returns only when the count is zero, i.e. after the last done()."
                ));
            }
        }
    }
    Ok(())
}
