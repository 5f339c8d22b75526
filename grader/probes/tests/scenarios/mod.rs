//! Small programs with the interleaving bugs of the exercises' `wrong/` catalogues, written
//! against the runtime directly: what `explore`'s tests and its measurement of random vs PCT
//! (`examples/schedules_to_failure.rs`, which includes this file) run. Each returns `Err` with
//! what went wrong, so a caller can count failures without panicking; the correct counterpart
//! returns `Ok` under every schedule.

#![allow(dead_code)] // the test and the example each use their own part

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;

use runtime::{Runtime, WaitGroup};

/// A program that may go wrong under some schedules: its name and its body on a runtime.
pub type Scenario = (&'static str, fn(&Runtime) -> Result<(), String>);

/// The buggy programs, each named after the catalogue entry it mirrors.
pub const BUGGY: [Scenario; 3] = [
    (
        "add inside the task (counter-races/add_inside_task)",
        add_inside_task,
    ),
    (
        "read, await, write (counter-races/load_then_store_atomic)",
        read_await_write,
    ),
    (
        "check, await, act (mini-executor/clears_queued_after_poll)",
        check_await_act,
    ),
];

/// Spawns 4 tasks that each `add(1)` inside themselves, lets them have one turn's head start
/// (a yield — the `other_work` of `runtime/examples/add_inside_task.rs`), then waits: whether
/// every task was counted depends on which ran before `wait`.
pub fn add_inside_task(rt: &Runtime) -> Result<(), String> {
    const TASKS: usize = 4;
    let finished = rt.block_on(async {
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..TASKS {
            let (wg, finished) = (wg.clone(), Arc::clone(&finished));
            drop(runtime::spawn(async move {
                wg.add(1);
                finished.fetch_add(1, SeqCst);
                wg.done();
            }));
        }
        runtime::yield_now().await;
        wg.wait().await;
        finished.load(SeqCst)
    });
    if finished == TASKS {
        Ok(())
    } else {
        Err(format!(
            "wait() returned when {finished} of {TASKS} tasks had finished"
        ))
    }
}

/// Three tasks each read a shared count, yield (an `.await` between the read and the write),
/// then write the count they read plus one: an update is lost when two reads see one value.
pub fn read_await_write(rt: &Runtime) -> Result<(), String> {
    const TASKS: usize = 3;
    let count = rt.block_on(async {
        let count = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..TASKS)
            .map(|_| {
                let count = Arc::clone(&count);
                runtime::spawn(async move {
                    let seen = count.load(SeqCst);
                    runtime::yield_now().await;
                    count.store(seen + 1, SeqCst);
                })
            })
            .collect();
        for handle in handles {
            let _ = handle.await;
        }
        count.load(SeqCst)
    });
    if count == TASKS {
        Ok(())
    } else {
        Err(format!("{TASKS} increments left the count at {count}"))
    }
}

/// Two tasks each check that a slot is free, yield, then take it: both take it when the second
/// checks between the first one's check and its act — the shape of a flag cleared too late.
pub fn check_await_act(rt: &Runtime) -> Result<(), String> {
    let takers = rt.block_on(async {
        let taken = Arc::new(AtomicUsize::new(0));
        let handles: Vec<_> = (0..2)
            .map(|_| {
                let taken = Arc::clone(&taken);
                runtime::spawn(async move {
                    runtime::yield_now().await;
                    if taken.load(SeqCst) == 0 {
                        runtime::yield_now().await;
                        taken.fetch_add(1, SeqCst);
                    }
                })
            })
            .collect();
        for handle in handles {
            let _ = handle.await;
        }
        taken.load(SeqCst)
    });
    if takers <= 1 {
        Ok(())
    } else {
        Err(format!("{takers} tasks took the one slot"))
    }
}

/// `add_inside_task` corrected: `add` before each spawn.
pub fn add_before_spawning(rt: &Runtime) -> Result<(), String> {
    const TASKS: usize = 4;
    let finished = rt.block_on(async {
        let wg = WaitGroup::new();
        let finished = Arc::new(AtomicUsize::new(0));
        for _ in 0..TASKS {
            wg.add(1);
            let (wg, finished) = (wg.clone(), Arc::clone(&finished));
            drop(runtime::spawn(async move {
                finished.fetch_add(1, SeqCst);
                wg.done();
            }));
        }
        runtime::yield_now().await;
        wg.wait().await;
        finished.load(SeqCst)
    });
    if finished == TASKS {
        Ok(())
    } else {
        Err(format!(
            "wait() returned when {finished} of {TASKS} tasks had finished"
        ))
    }
}
